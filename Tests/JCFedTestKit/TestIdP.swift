/// The one tenant and app registration every unit test uses (the integration tests and the Entra
/// emulator's fixture use the same ones: Tests/integration/emulator_proc.py).
public enum TestIdP {
    public static let tenant = "11111111-2222-3333-4444-555555555555"
    public static let client = "aaaaaaaa-bbbb-cccc-dddd-eeeeeeeeeeee"
    /// A tenant that is not ours (tokens and issuers of another organization).
    public static let otherTenant = "66666666-7777-8888-9999-000000000000"
}
