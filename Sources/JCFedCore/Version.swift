/// The version printed by `jcfed --version` and sent as the User-Agent.
public enum JCFedVersion {
    public static let string = "0.1.0"
}
