"""Writes the seed corpora in Tests/fuzz/corpus/<target>/ from answers of the Entra emulator and
from tokens made for the fixed context in FuzzTargets.swift (FuzzFixtures). Run once, by hand, when
a target or the context changes: `python3 Tests/fuzz/seeds/make_seeds.py` (needs
build/jcfed-entra-emulator). The seeds are committed; fuzzing never needs the emulator.

Reply targets (devicecode, token) read byte 0 as the HTTP status index
(200 400 401 429 500 503 302 404), byte 1 as the length of a Retry-After value that follows,
then the body.
"""
import base64
import json
import os
import pathlib
import sys

ROOT = pathlib.Path(__file__).resolve().parents[3]
sys.path.insert(0, str(ROOT / "Tests/integration"))
from emulator_proc import CONFIDENTIAL_CLIENT, PUBLIC_CLIENT, TENANT, Emulator  # noqa: E402

CORPUS = ROOT / "Tests/fuzz/corpus"
NOW = 1_795_932_800  # FuzzFixtures.now
RSA_KID = "GQvSfN4txkfWt7Ze57T5AiZU4jU"  # FuzzFixtures.jwks
STATUS = {200: 0, 400: 1, 401: 2, 429: 3, 500: 4, 503: 5, 302: 6, 404: 7}
GRANT = "urn:ietf:params:oauth:grant-type:device_code"


def b64(data):
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def jwt(header, claims, sig_len):
    return ".".join([b64(json.dumps(header, separators=(",", ":")).encode()),
                     b64(json.dumps(claims, separators=(",", ":")).encode()),
                     b64(bytes([0x5A] * sig_len))])


def entra_claims(**over):
    c = {"aud": PUBLIC_CLIENT, "iss": f"https://login.microsoftonline.com/{TENANT}/v2.0", "iat": NOW - 10,
         "nbf": NOW - 10, "exp": NOW + 3590, "aio": "AWQAm/8ZAAAA", "email": "alice@contoso.com",
         "name": "Alice Example", "oid": "0a1b2c3d-0000-4000-8000-00000000a11c",
         "preferred_username": "alice@contoso.com", "rh": "0.AAAA.", "sid": "00000000-0000-0000-0000-000000000001",
         "sub": "pairwise-subject-for-the-app", "tid": TENANT, "upn": "alice@contoso.com",
         "uti": "AbCdEf", "ver": "2.0", "xms_edov": True}
    c.update(over)
    return c


def save(target, name, data):
    d = CORPUS / target
    d.mkdir(parents=True, exist_ok=True)
    (d / name).write_bytes(data if isinstance(data, bytes) else data.encode())


def reply(status, body, retry_after=b""):
    return bytes([STATUS[status], len(retry_after)]) + retry_after + body


def main():
    with Emulator() as emu:
        base = emu.base_url
        _, _, discovery = emu.request("GET", f"/{TENANT}/v2.0/.well-known/openid-configuration")
        _, _, common = emu.request("GET", "/common/v2.0/.well-known/openid-configuration")
        _, _, jwks = emu.request("GET", f"/{TENANT}/discovery/v2.0/keys")
        _, _, devicecode = emu.post_form(f"/{TENANT}/oauth2/v2.0/devicecode",
                                         {"client_id": PUBLIC_CLIENT, "scope": "openid profile email"})
        device_code = json.loads(devicecode)["device_code"]
        token_form = {"client_id": PUBLIC_CLIENT, "grant_type": GRANT, "device_code": device_code}
        _, _, pending = emu.post_form(f"/{TENANT}/oauth2/v2.0/token", token_form)
        emu.approve("alice@contoso.com")
        _, _, token = emu.post_form(f"/{TENANT}/oauth2/v2.0/token", token_form)
        _, _, bad_code = emu.post_form(f"/{TENANT}/oauth2/v2.0/token", dict(token_form, device_code="x" * 40))
        _, _, confidential = emu.post_form(f"/{TENANT}/oauth2/v2.0/token",
                                           {"client_id": CONFIDENTIAL_CLIENT, "grant_type": GRANT, "device_code": "x"})
        _, _, unknown_tenant = emu.post_form("/00000000-0000-0000-0000-000000000000/oauth2/v2.0/devicecode",
                                             {"client_id": PUBLIC_CLIENT, "scope": "openid"})
        emu.faults(status=429, retry_after=7)
        _, _, throttled = emu.post_form(f"/{TENANT}/oauth2/v2.0/token", token_form)

    entra = "https://login.microsoftonline.com"
    save("discovery", "entra-tenant.json", discovery.replace(base.encode(), entra.encode()))
    save("discovery", "entra-common.json", common.replace(base.encode(), entra.encode()))
    save("jwks", "entra.json", jwks)
    save("jwks", "mixed.json", json.dumps({"keys": [
        {"kty": "EC", "use": "sig", "kid": "ec-key-1", "crv": "P-256",
         "x": "f83OJ3D2xF1Bg8vub9tLe1gHMzV76e8Tus9uPHvRVEU", "y": "x_FEzRu9m36HLN_tue659LNpXW6pCyStikYjKIWI5a0"},
        {"kty": "RSA", "use": "enc", "kid": "enc", "n": "AQAB", "e": "AQAB"},
        {"kty": "oct", "kid": "hmac", "k": "c2VjcmV0"}]}))

    ids = json.loads(token)
    tokens = {
        "entra-rs256": jwt({"typ": "JWT", "alg": "RS256", "kid": RSA_KID}, entra_claims(), 256),
        "entra-es256": jwt({"typ": "JWT", "alg": "ES256", "kid": "ec-key-1"}, entra_claims(), 64),
        "aud-array-azp": jwt({"typ": "JWT", "alg": "RS256", "kid": RSA_KID},
                             entra_claims(aud=[PUBLIC_CLIENT, "other"], azp=PUBLIC_CLIENT), 256),
        "emulator-id-token": ids["id_token"],
        "emulator-access-token": ids["access_token"],
    }
    for name, t in tokens.items():
        save("jwt", name, t)
        save("jws", name, t)
        # claims: header JSON, 0, payload JSON, 0, signature (FuzzTargets.structuredToken).
        h, p, s = t.split(".")
        unb64 = lambda x: base64.urlsafe_b64decode(x + "=" * (-len(x) % 4))  # noqa: E731
        save("claims", name, unb64(h) + b"\0" + unb64(p) + b"\0" + unb64(s))

    save("devicecode", "ok", reply(200, devicecode))
    save("devicecode", "unknown-tenant", reply(400, unknown_tenant))
    save("devicecode", "throttled", reply(429, throttled, b"7"))
    save("devicecode", "server-error", reply(503, throttled))
    save("token", "id-token", reply(200, token))
    save("token", "pending", reply(400, pending))
    save("token", "bad-code", reply(400, bad_code))
    save("token", "confidential-7000218", reply(401, confidential))
    save("token", "error-as-200", reply(200, pending))
    save("token", "throttled", reply(429, throttled, b"7\r\n"))

    users = [{"_id": "5f1b2c3d4e5f60718293a4b5", "id": "5f1b2c3d4e5f60718293a4b5", "username": "alice",
              "email": "alice@contoso.com", "firstname": "Alice", "activated": True, "suspended": False,
              "account_locked": False, "state": "ACTIVATED", "unix_uid": 5001, "addresses": [],
              "jcfed_groups": ["Engineering", "federated"]},
             {"_id": "5f1b2c3d4e5f60718293a4b6", "username": "bob", "email": "Bob@Contoso.com",
              "activated": True, "suspended": True, "account_locked": False, "state": "SUSPENDED",
              "unix_uid": None},
             {"_id": "5f1b2c3d4e5f60718293a4b7", "username": "carol\u00e9", "email": None, "activated": False,
              "suspended": False, "account_locked": True}]
    save("directory", "api-export.json", json.dumps({"totalCount": 3, "results": users}, indent=1))
    save("directory", "synced.json", json.dumps({
        "totalCount": 1, "jcfed": {"version": 1, "source": "api", "synced_at": NOW,
                                   "bound_user_ids": ["5f1b2c3d4e5f60718293a4b5"], "bindings_synced_at": NOW},
        "results": users[:1]}))

    url = f"{entra}/{TENANT}/discovery/v2.0/keys"
    save("cache", "keys", f"jcfed-cache 1\n{NOW}\n{url}\n".encode() + jwks)
    save("config", "example.conf", (ROOT / "pam/jcfed.conf.example").read_bytes())


if __name__ == "__main__":
    main()
