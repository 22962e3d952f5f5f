/// The device sign-in of `jcfed idp test --user`: the module's own DeviceLogin up to the verified
/// identity, with no PAM user (the tool prints the mapping to a local account instead of
/// enforcing it).
public enum InteractiveSignIn {
    public static func run(loaded: LoadedConfig, environment: LoginEnvironment,
                           prompter: Prompter) -> Result<VerifiedIdentity, Outcome> {
        // signIn() reads only the configuration and the secret of the subject; the PAM user and
        // account are placeholders that it never consults (and that match no real account).
        let subject = LoginSubject(pamUser: "", account: LocalAccount(name: "", uid: UInt32.max, gid: UInt32.max),
                                   loaded: loaded, directory: nil)
        return DeviceLogin(subject: subject, environment: environment, prompter: prompter).signIn()
    }
}
