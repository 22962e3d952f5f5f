#if canImport(Glibc)
import Glibc
#endif
import JCFedCore

// Stub until the admin-tool work: --version and check-config.
let args = Array(CommandLine.arguments.dropFirst())
if IdentityCommandsGlue.dispatch(args) { exit(0) }  // temporary, see IdentityCommandsGlue.swift
if args.first == "--version" {
    print("jcfed \(JCFedVersion.string)")
} else if args.first == "check-config" {
    let path = args.count > 1 ? args[1] : ConfigLoader.defaultPath
    switch ConfigLoader.load(path: path) {
    case .success(let l):
        for w in l.warnings { print("warning: \(w)") }
        print("\(path): OK")
    case .failure(let e):
        print("error: \(e)")
        exit(1)
    }
}
