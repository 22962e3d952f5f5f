import Glibc
import JCFedCore

/// Random bits for spreading retries (not for secrets): 8 bytes of /dev/urandom, which never
/// blocks, or, where it cannot be read (a chroot without /dev), the time mixed with the pid.
public enum SystemRandom {
    public static func seed() -> UInt64 {
        var value: UInt64 = 0
        let fd = open("/dev/urandom", O_RDONLY | O_CLOEXEC | O_NOCTTY)
        if fd >= 0 {
            let n = withUnsafeMutableBytes(of: &value) { read(fd, $0.baseAddress, $0.count) }
            close(fd)
            if n == MemoryLayout<UInt64>.size { return value }
        }
        var ts = timespec()
        _ = clock_gettime(CLOCK_MONOTONIC, &ts)
        return UInt64(truncatingIfNeeded: ts.tv_nsec) &* 0x9E37_79B9_7F4A_7C15
            ^ UInt64(truncatingIfNeeded: ts.tv_sec) ^ (UInt64(truncatingIfNeeded: getpid()) << 32)
    }
}
