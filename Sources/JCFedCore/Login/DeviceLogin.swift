/// One federated login: discovery and keys, the device authorization grant, presentation to the
/// person, ID-token validation, identity mapping and pinning, within the login deadline.
/// STUB: completed by the device-flow work.
struct DeviceLogin {
    let subject: LoginSubject
    let environment: LoginEnvironment
    let prompter: Prompter

    func run() -> Outcome {
        Outcome(.unavailable, reason: "not-implemented", admin: "device flow not implemented yet",
                user: "Federated login is not available yet.")
    }
}
