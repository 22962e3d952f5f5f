"""TLS trust without `ca_file`, as in production: the system store. Each login runs in a private
mount namespace where a temp directory stands in for /etc/ssl/certs (system_trust.py), so the
emulator's CA can be a "system" CA without touching the machine.

Where /etc/ssl/certs has hash links (Debian, Ubuntu), the module uses that directory only and
not libcurl's default bundle file, which OpenSSL 3.0 parses whole on every login (~30 ms of CPU,
bench/results.md row 2). Without hash links, libcurl's default bundle is used as before."""
import pytest

from conftest import TENANT, interactive_login
from system_trust import can_bind_mount, make_store, namespace_prefix

pytestmark = pytest.mark.skipif(not can_bind_mount(), reason="needs unshare -m and bind mounts (root)")


def system_store_login(idp, store):
    idp.write_config(idp={"url": idp.emulator.authority(TENANT), "ca_file": None})
    idp.emulator.faults(interval=1)
    return interactive_login(idp, "alice", lambda code: idp.emulator.approve("alice@contoso.com", user_code=code),
                             valgrind=namespace_prefix(store))


def test_hashed_system_store_is_used_and_the_bundle_is_not_read(idp):
    # The bundle file is not PEM: had libcurl loaded it, the handshake would fail (CACERT_BADFILE).
    store = make_store(idp.base / "certs", extra_cas=[idp.emulator.ca_path], system=False, bundle="garbage")
    run = system_store_login(idp, store)
    assert run.codes == {"auth": "PAM_SUCCESS", "acct": "PAM_SUCCESS"}, run.output + run.log


def test_hashed_system_store_with_every_system_ca(idp):
    store = make_store(idp.base / "certs", extra_cas=[idp.emulator.ca_path])
    run = system_store_login(idp, store)
    assert run.codes == {"auth": "PAM_SUCCESS", "acct": "PAM_SUCCESS"}, run.output + run.log


def test_without_hash_links_the_bundle_is_used(idp):
    store = make_store(idp.base / "certs", extra_cas=[idp.emulator.ca_path], system=False, hashed=False)
    run = system_store_login(idp, store)
    assert run.codes == {"auth": "PAM_SUCCESS", "acct": "PAM_SUCCESS"}, run.output + run.log


@pytest.mark.parametrize("hashed", [True, False])
def test_a_ca_outside_the_system_store_fails_closed(idp, hashed):
    # The system CAs only: the emulator's CA is trusted neither by the directory nor the bundle.
    store = make_store(idp.base / "certs", hashed=hashed)
    idp.write_config(idp={"url": idp.emulator.authority(TENANT), "ca_file": None})
    codes, out, log = idp.run("alice", valgrind=namespace_prefix(store))
    assert codes["auth"] == "PAM_AUTHINFO_UNAVAIL", out + log
    assert "TLS" in log
