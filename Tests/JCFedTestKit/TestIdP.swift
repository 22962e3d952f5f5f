/// The one tenant and app registration every unit test uses. The tenant has hex letters so that an
/// uppercased `tid` differs from it (the attack tables rely on that); the client id is the one of
/// the integration tests and the Entra emulator's fixture (Tests/integration/emulator_proc.py).
public enum TestIdP {
    public static let tenant = "a1b2c3d4-e5f6-4a7b-8c9d-0e1f2a3b4c5d"
    public static let client = "aaaaaaaa-bbbb-cccc-dddd-eeeeeeeeeeee"
    /// A tenant that is not ours (tokens and issuers of another organization).
    public static let otherTenant = "66666666-7777-8888-9999-000000000000"
}
