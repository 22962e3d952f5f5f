import Testing
import JCFedCore
import JCFedCrypto

/// One crafted ID token that must be refused, with the reason and the exact rejection code.
struct Attack: Sendable, CustomTestStringConvertible {
    let name: String
    /// How the token is built.
    let built: String
    /// Why it must fail.
    let reason: String
    let expected: TokenRejection.Code
    let token: String
    var context: ValidationContext = Entra.context()

    var testDescription: String { name }
}

/// The token attack suite, run through the real validator and the OpenSSL verifier.
@Suite struct TokenAttackTests {
    @Test(arguments: AttackTable.rows)
    func attackIsRejected(_ attack: Attack) {
        let result = TokenValidator.validate(attack.token, context: attack.context, verifier: OpenSSLVerifier())
        switch result {
        case .success:
            Issue.record("\(attack.name) was accepted; it must fail because \(attack.reason)")
        case .failure(let rejection):
            #expect(rejection.code == attack.expected, "\(attack.name): \(attack.built); got \(rejection)")
        }
    }

    @Test func tableIsLargeAndNamesAreUnique() {
        let names = AttackTable.rows.map(\.name)
        #expect(names.count >= 50)
        #expect(Set(names).count == names.count)
        #expect(AttackTable.rows.allSatisfy { !$0.built.isEmpty && !$0.reason.isEmpty })
    }

    /// The table is only evidence if the untouched token passes in the same context.
    @Test func baselineTokenIsAccepted() {
        let result = TokenValidator.validate(Token.good, context: Entra.context(), verifier: OpenSSLVerifier())
        #expect(throws: Never.self) { try result.get() }
    }
}
