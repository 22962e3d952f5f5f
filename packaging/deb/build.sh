#!/bin/bash
# Builds build/jcfed_<version>_<arch>.deb from build/pam_jcfed.so and build/jcfed (make deb runs
# `make module tool` first). No network: Depends come from dpkg-shlibdeps (what the module and the
# tool link) and dlopen-depends (what the module loads on first use).
#
#   packaging/deb/build.sh [BUILD_DIR]
#   VERSION=0.1.1 DEB_REVISION=1 packaging/deb/build.sh   # another package version, same binaries
#
# The upstream version is Sources/JCFedCore/Version.swift unless VERSION is set; the package
# version is <upstream>-<DEB_REVISION>. Timestamps are SOURCE_DATE_EPOCH (default: the last
# commit's date), so the same tree gives the same package.
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
repo=$(cd "$here/../.." && pwd)
build=${1:-$repo/build}
cd "$repo"

die() { echo "packaging/deb/build.sh: $*" >&2; exit 1; }

upstream=${VERSION:-$(sed -n 's/.*static let string = "\([^"]*\)".*/\1/p' Sources/JCFedCore/Version.swift)}
[[ $upstream =~ ^[0-9][0-9A-Za-z.+~]*$ ]] || die "cannot read the version from Sources/JCFedCore/Version.swift (got '$upstream')"
revision=${DEB_REVISION:-1}
[[ $revision =~ ^[0-9A-Za-z.+~]+$ ]] || die "DEB_REVISION '$revision' is not a Debian revision"
version="$upstream-$revision"
arch=$(dpkg --print-architecture)
multiarch=$(dpkg-architecture -qDEB_HOST_MULTIARCH 2>/dev/null || gcc -print-multiarch)
export SOURCE_DATE_EPOCH=${SOURCE_DATE_EPOCH:-$(git log -1 --format=%ct 2>/dev/null || date +%s)}

for f in "$build/pam_jcfed.so" "$build/pam_jcfed_core.so" "$build/jcfed"; do [ -f "$f" ] || die "$f is missing: run make module tool"; done

out="$build/jcfed_${version}_${arch}.deb"
work=$(mktemp -d "${TMPDIR:-/tmp}/jcfed-deb.XXXXXX")
trap 'rm -rf "$work"' EXIT
root="$work/root"
umask 022

# Files -------------------------------------------------------------------------------------------
install -d "$root/DEBIAN" "$root/usr/lib/$multiarch/security" "$root/usr/sbin" \
  "$root/usr/share/man/man5" "$root/usr/share/man/man8" "$root/usr/share/pam-configs" \
  "$root/usr/share/doc/jcfed" "$root/usr/share/lintian/overrides" "$root/etc/jcfed" \
  "$root/usr/lib/systemd/system"
# The module: the front libpam loads and, beside it, the Swift core it loads (Makefile).
install -m 0644 "$build/pam_jcfed.so" "$root/usr/lib/$multiarch/security/pam_jcfed.so"
install -m 0644 "$build/pam_jcfed_core.so" "$root/usr/lib/$multiarch/security/pam_jcfed_core.so"
install -m 0755 "$build/jcfed" "$root/usr/sbin/jcfed"
# What dh_strip does: no symbol table, no .comment/.note (the module is stripped by make module).
strip --remove-section=.comment --remove-section=.note --strip-unneeded "$root/usr/sbin/jcfed"
for m in pam_jcfed.so pam_jcfed_core.so; do
  strip --remove-section=.comment --remove-section=.note --strip-unneeded "$root/usr/lib/$multiarch/security/$m"
done
for m in man/pam_jcfed.8 man/jcfed.8; do gzip -9n < "$m" > "$root/usr/share/man/man8/$(basename "$m").gz"; done
gzip -9n < man/jcfed.conf.5 > "$root/usr/share/man/man5/jcfed.conf.5.gz"
install -m 0644 pam/pam-configs/jcfed "$root/usr/share/pam-configs/jcfed"
install -m 0644 pam/jcfed.conf.example "$root/etc/jcfed/jcfed.conf"
install -m 0644 "$here/copyright" "$root/usr/share/doc/jcfed/copyright"
# The daily directory sync: shipped disabled (jcfed directory schedule enable).
for u in jcfed-directory-sync.service jcfed-directory-sync.timer; do
  install -m 0644 "$here/$u" "$root/usr/lib/systemd/system/$u"
done
install -m 0644 "$here/lintian-overrides" "$root/usr/share/lintian/overrides/jcfed"
chmod 0644 "$root"/usr/share/man/man*/*.gz

# changelog.Debian: this version's entry first, then the packaging history (packaging/deb/changelog).
maintainer=$(sed -n 's/^Maintainer: //p' "$here/control.in")
{
  if ! grep -q "^jcfed ($version) " "$here/changelog"; then
    printf 'jcfed (%s) stable; urgency=medium\n\n  * Package of jcfed %s (git %s).\n\n -- %s  %s\n\n' \
      "$version" "$upstream" "$(git rev-parse --short HEAD 2>/dev/null || echo unknown)" "$maintainer" \
      "$(LC_ALL=C date -u -R -d "@$SOURCE_DATE_EPOCH")"
  fi
  cat "$here/changelog"
} | gzip -9n > "$root/usr/share/doc/jcfed/changelog.Debian.gz"
chmod 0644 "$root/usr/share/doc/jcfed/changelog.Debian.gz"

# Control -----------------------------------------------------------------------------------------
# dpkg-shlibdeps wants a debian/control beside it; it reads the NEEDED libraries of both files.
mkdir -p "$work/src/debian"
printf 'Source: jcfed\n\nPackage: jcfed\nArchitecture: any\n' > "$work/src/debian/control"
shlibs=$(cd "$work/src" && dpkg-shlibdeps -O -e"$root/usr/lib/$multiarch/security/pam_jcfed.so" -e"$root/usr/lib/$multiarch/security/pam_jcfed_core.so" -e"$root/usr/sbin/jcfed" 2>"$work/shlibdeps.err") \
  || { cat "$work/shlibdeps.err" >&2; die "dpkg-shlibdeps failed"; }
shlibs=${shlibs#shlibs:Depends=}
# The libraries dlopen'ed on first use (comments and reasons in dlopen-depends).
dlopen=$(grep -v '^[[:space:]]*#' "$here/dlopen-depends" | sed '/^[[:space:]]*$/d' | paste -sd, | sed 's/,/, /g')
# Every symbol the C shims resolve must exist in the stated minimum version (the libraries'
# Debian symbols files say since when); checked here so a new symbol cannot slip past Depends.
bash "$here/check-dlopen-depends.sh" "$here/dlopen-depends"

installed_size=$(du -k -s --apparent-size "$root" | cut -f1)
sed -e "s/@VERSION@/$version/" -e "s/@ARCH@/$arch/" -e "s/@INSTALLED_SIZE@/$installed_size/" \
    -e "s/@DEPENDS@/$shlibs, $dlopen/" "$here/control.in" > "$root/DEBIAN/control"
echo /etc/jcfed/jcfed.conf > "$root/DEBIAN/conffiles"
for s in postinst prerm postrm; do install -m 0755 "$here/$s" "$root/DEBIAN/$s"; done
chmod 0644 "$root/DEBIAN/control" "$root/DEBIAN/conffiles"
(cd "$root" && find . -path ./DEBIAN -prune -o -type f -printf '%P\0' | LC_ALL=C sort -z | xargs -0 md5sum) > "$root/DEBIAN/md5sums"
chmod 0644 "$root/DEBIAN/md5sums"

find "$root" -newermt "@$SOURCE_DATE_EPOCH" -print0 | xargs -0 touch --no-dereference --date="@$SOURCE_DATE_EPOCH"
rm -f "$build"/jcfed_*_"$arch".deb.tmp
dpkg-deb --root-owner-group -Zxz --build "$root" "$out.tmp" >/dev/null
mv "$out.tmp" "$out"
echo "$out"
