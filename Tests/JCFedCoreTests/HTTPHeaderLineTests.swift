import Testing
@testable import JCFedCore

/// Response header lines as libcurl's header callback passes them (CRLF included).
@Suite struct HTTPHeaderLineTests {
    private func parse(_ line: String) -> HTTPHeaderLine {
        Array(line.utf8).withUnsafeBytes { HTTPHeaderLine.parse($0) }
    }

    @Test func fieldsHaveALowerCaseNameAndATrimmedValue() {
        #expect(parse("Retry-After: 120\r\n") == .field(name: "retry-after", value: "120"))
        #expect(parse("Content-Type:\tapplication/json; charset=utf-8 \t\r\n")
                == .field(name: "content-type", value: "application/json; charset=utf-8"))
        #expect(parse("x-ms-request-id:\r\n") == .field(name: "x-ms-request-id", value: ""))
        // Only the first colon separates; the value keeps the rest, inner spaces included.
        #expect(parse("Location: https://h:8443/a b\r\n") == .field(name: "location", value: "https://h:8443/a b"))
        // The name is not trimmed (a space before the colon is not a header libcurl would match either).
        #expect(parse("Retry-After : 5\r\n") == .field(name: "retry-after ", value: "5"))
    }

    @Test func aStatusLineStartsANewResponse() {
        #expect(parse("HTTP/1.1 100 Continue\r\n") == .statusLine)
        #expect(parse("HTTP/2 200\r\n") == .statusLine)
    }

    @Test func linesWithoutAColonAreNotFields() {
        #expect(parse("\r\n") == .other)
        #expect(parse("") == .other)
        #expect(parse("garbage\r\n") == .other)
    }

    @Test func nonASCIIIsDecodedWithReplacementAndNamesFoldOnlyASCII() {
        #expect(parse("X-Name: caf\u{e9}\r\n") == .field(name: "x-name", value: "caf\u{e9}"))
        #expect(parse("X-\u{212A}: v\r\n") == .field(name: "x-\u{212A}", value: "v"))  // the Kelvin sign stays
        let invalid: [UInt8] = Array("X-Bad: ".utf8) + [0xFF, 0x0D, 0x0A]
        #expect(invalid.withUnsafeBytes { HTTPHeaderLine.parse($0) } == .field(name: "x-bad", value: "\u{FFFD}"))
    }
}
