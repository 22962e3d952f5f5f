// Which Entra endpoint a path names.
enum Route {
    case openIDConfiguration(tenant: String)
    case instanceDiscovery
    case deviceCode(tenant: String)
    case token(tenant: String)
    case keys(tenant: String)
    case deviceLogin
    case control
    case notFound

    init(path: String) {
        if path.hasPrefix("/_control/") {
            self = .control
            return
        }
        let parts = path.split(separator: "/", omittingEmptySubsequences: true).map(String.init)
        switch parts.count {
        case 1 where parts[0] == "devicelogin", 2 where parts[0] == "devicelogin" && parts[1] == "consent":
            self = .deviceLogin
        case 3 where parts[0] == "common" && parts[1] == "discovery" && parts[2] == "instance":
            self = .instanceDiscovery
        case 4 where parts[1] == "v2.0" && parts[2] == ".well-known" && parts[3] == "openid-configuration":
            self = .openIDConfiguration(tenant: parts[0])
        case 4 where parts[1] == "oauth2" && parts[2] == "v2.0" && parts[3] == "devicecode":
            self = .deviceCode(tenant: parts[0])
        case 4 where parts[1] == "oauth2" && parts[2] == "v2.0" && parts[3] == "token":
            self = .token(tenant: parts[0])
        case 4 where parts[1] == "discovery" && parts[2] == "v2.0" && parts[3] == "keys":
            self = .keys(tenant: parts[0])
        default:
            self = .notFound
        }
    }

    /// The fault-matrix name of the endpoint (`paths` in the faults), nil for pages and control.
    var endpoint: Endpoint? {
        switch self {
        case .openIDConfiguration, .instanceDiscovery: return .discovery
        case .deviceCode: return .devicecode
        case .token: return .token
        case .keys: return .keys
        case .deviceLogin, .control, .notFound: return nil
        }
    }

    var allowedMethod: String {
        switch self {
        case .deviceCode, .token: return "POST"
        default: return "GET"
        }
    }
}
