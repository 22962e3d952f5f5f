import Glibc
import JCFedCore

/// NSS through getpwnam_r and getgrouplist/getgrgid_r: reentrant, bounded buffers.
public final class SystemUserDatabase: UserDatabase {
    public init() {}

    public func account(named name: String) -> LocalAccount? {
        var pwd = passwd()
        var result: UnsafeMutablePointer<passwd>?
        var size = 1024
        while size <= 1 << 20 {
            var buffer = [CChar](repeating: 0, count: size)
            let rc = buffer.withUnsafeMutableBufferPointer { buf -> Int32 in
                guard let base = buf.baseAddress else { return ENOMEM }
                return name.withCString { getpwnam_r($0, &pwd, base, buf.count, &result) }
            }
            if rc == ERANGE { size *= 4; continue }
            guard rc == 0, result != nil, let pwName = pwd.pw_name else { return nil }
            return LocalAccount(name: String(cString: pwName), uid: UInt32(pwd.pw_uid), gid: UInt32(pwd.pw_gid))
        }
        return nil
    }

    public func groupNames(of account: LocalAccount) -> [String] {
        var count: Int32 = 64
        var gids = [gid_t](repeating: 0, count: Int(count))
        var rc = account.name.withCString { getgrouplist($0, gid_t(account.gid), &gids, &count) }
        if rc < 0 && count > 0 && count <= 65536 {
            gids = [gid_t](repeating: 0, count: Int(count))
            rc = account.name.withCString { getgrouplist($0, gid_t(account.gid), &gids, &count) }
        }
        guard rc >= 0 else { return [] }
        return gids.prefix(Int(count)).compactMap(groupName)
    }

    private func groupName(_ gid: gid_t) -> String? {
        var grp = group()
        var result: UnsafeMutablePointer<group>?
        var size = 4096
        while size <= 1 << 22 {
            var buffer = [CChar](repeating: 0, count: size)
            let rc = buffer.withUnsafeMutableBufferPointer { buf -> Int32 in
                guard let base = buf.baseAddress else { return ENOMEM }
                return getgrgid_r(gid, &grp, base, buf.count, &result)
            }
            if rc == ERANGE { size *= 4; continue }
            guard rc == 0, result != nil, let n = grp.gr_name else { return nil }
            return String(cString: n)
        }
        return nil
    }
}
