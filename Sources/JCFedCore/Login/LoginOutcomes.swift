/// The outcome of every way a device login can end: the PAM kind (BRIEF contracts), a stable
/// reason, one admin sentence (AADSTS codes and correlation ids, never a device code, token or
/// secret) and one sentence for the person.
enum LoginOutcomes {
    static let unavailableMessage = "The sign-in service cannot be reached; try again later."
    /// The same, when the stack lets the local password decide next (pam.offline = local-password,
    /// written by `jcfed enable`): the person is about to see "Password:", and should know why.
    static let unavailableLocalPasswordMessage =
        "The sign-in service cannot be reached; log in with your local password instead."

    /// The person's sentence for an unavailable IdP, matched to what the stack does next.
    static func forOfflinePolicy(_ outcome: Outcome, _ policy: OfflinePolicy) -> Outcome {
        guard policy == .localPassword, outcome.kind == .unavailable,
              outcome.userMessage == unavailableMessage else { return outcome }
        var o = outcome
        o.userMessage = unavailableLocalPasswordMessage
        return o
    }
    static let notVerifiedMessage = "The sign-in could not be verified."

    static let outOfMemory = Outcome(.bufError, reason: "out-of-memory",
                                     admin: "out of memory while talking to the identity provider",
                                     user: "The sign-in could not be completed; try again.")

    static let verifierMissing = Outcome(
        .serviceError, reason: "libcrypto-missing",
        admin: "libcrypto (OpenSSL 3, Debian package libssl3) cannot be loaded, so no ID token can be verified; install it",
        user: Outcome.misconfiguredMessage)

    static func discovery(_ e: DiscoveryError) -> Outcome {
        if case .unreachable(.outOfMemory) = e { return outOfMemory }
        if case .serverError(429) = e {
            return Outcome(.unavailable, reason: "idp-throttled", admin: "identity provider is throttling: " + e.description,
                           user: unavailableMessage)
        }
        if e.isUnavailable {
            return Outcome(.unavailable, reason: "idp-unavailable", admin: e.description, user: unavailableMessage)
        }
        if case .tenantRequired = e {
            return Outcome(.serviceError, reason: "multi-tenant-authority", admin: "idp.url: " + e.description,
                           user: Outcome.misconfiguredMessage)
        }
        return Outcome(.serviceError, reason: "discovery", admin: e.description, user: Outcome.misconfiguredMessage)
    }

    static func flow(_ f: FlowFailure, loginTimeout: Int) -> Outcome {
        if f.transportError == .outOfMemory { return outOfMemory }
        let idp = f.idpError.map { ": " + $0.description } ?? ""
        switch f.code {
        case .declined:
            return Outcome(.authError, reason: "declined", admin: "the sign-in was declined at the identity provider" + idp,
                           user: "The sign-in was declined.")
        case .expired:
            return Outcome(.authError, reason: "expired", admin: "the device code expired before the sign-in was completed" + idp,
                           user: "The code expired.")
        case .timedOut:
            return Outcome(.authError, reason: "timeout",
                           admin: "login_timeout (\(loginTimeout) s) passed before the sign-in was completed",
                           user: "The sign-in took too long.")
        case .badVerificationCode:
            return Outcome(.authError, reason: "bad-code", admin: "the identity provider did not accept the device code" + idp,
                           user: "The sign-in code was not accepted.")
        case .clientSecretRequired:
            return Outcome(.serviceError, reason: "client-secret-required",
                           admin: "the identity provider refused the client" + idp
                               + ": the app registration is confidential and needs a client secret; set idp.client_secret_file, or set 'Allow public client flows' to Yes in the app registration",
                           user: Outcome.misconfiguredMessage)
        case .clientSecretRejected:
            return Outcome(.serviceError, reason: "client-secret-not-allowed",
                           admin: "the identity provider refused the client" + idp
                               + ": the app registration is a public client and must not be sent a secret; remove idp.client_secret / idp.client_secret_file",
                           user: Outcome.misconfiguredMessage)
        case .clientRejected:
            return Outcome(.serviceError, reason: "client-rejected",
                           admin: "the identity provider refused the client" + idp + "; check idp.client_id and the app registration",
                           user: Outcome.misconfiguredMessage)
        case .invalidRequest:
            return Outcome(.serviceError, reason: "invalid-request",
                           admin: "the identity provider rejected the request" + idp + "; check idp.url and idp.scopes",
                           user: Outcome.misconfiguredMessage)
        case .invalidGrant:
            return Outcome(.authError, reason: "grant-refused",
                           admin: "the identity provider refused the grant" + idp
                               + " (a Conditional Access or MFA policy; look the correlation id up in the sign-in logs)",
                           user: "Your organization's sign-in policy refused this sign-in.")
        case .idpError:
            return Outcome(.authError, reason: "idp-error", admin: "the identity provider refused the sign-in" + idp,
                           user: "The identity provider refused the sign-in.")
        case .rateLimited:
            return Outcome(.unavailable, reason: "idp-throttled",
                           admin: "identity provider is throttling the device flow: " + f.description,
                           user: unavailableMessage)
        case .unavailable, .garbage:
            return Outcome(.unavailable, reason: f.code == .garbage ? "idp-garbage" : "idp-unavailable",
                           admin: "identity provider unavailable during the device flow: " + f.description,
                           user: unavailableMessage)
        case .outOfOrder:
            return Outcome(.serviceError, reason: "internal", admin: "device flow internal error: " + f.description,
                           user: Outcome.misconfiguredMessage)
        }
    }

    static let conversationFailed = Outcome(
        .convError, reason: "conversation",
        admin: "the conversation failed or was cancelled while the sign-in code was shown",
        user: "The sign-in was cancelled.")

    static func tokenRejected(_ r: TokenRejection) -> Outcome {
        Outcome(.authError, reason: "bad-token", admin: "ID token rejected: " + r.description, user: notVerifiedMessage)
    }

    static func wrongUser(pamUser: String, detail: String) -> Outcome {
        Outcome(.authError, reason: "wrong-user", admin: detail,
                user: "That account is not allowed to log in as \(SafeText.value(pamUser)).")
    }
}
