// `/devicelogin`: the page a person opens on another device. Enter the code, pick an account of the
// tenant, approve or decline. Plain forms, no JavaScript.
import Foundation

enum DeviceLoginPage {
    static func handle(method: String, path: String, form: [String: String], state: EmulatorState) async -> Reply {
        if method == "GET" { return page(codeForm(error: nil)) }
        guard method == "POST" else { return Reply.text("method not allowed", status: 405) }
        if path == "/devicelogin/consent" { return await consent(form: form, state: state) }
        return await lookup(form: form, state: state)
    }

    private static func lookup(form: [String: String], state: EmulatorState) async -> Reply {
        let entered = form["otc"] ?? ""
        guard let record = await state.code(user: entered), record.status == .pending,
            !record.isExpired(nowMs: Encoding.nowMillis()),
            let tenant = state.fixture.tenant(named: record.tenantID)
        else {
            return page(codeForm(error: "That code didn't work. Check the code and try again."), status: 400)
        }
        let appName = tenant.app(record.clientID)?.displayName ?? record.clientID
        let options = tenant.users.map { user in
            "<option value=\"\(Encoding.html(user.upn))\">\(Encoding.html(user.name ?? user.upn)) (\(Encoding.html(user.upn)))</option>"
        }.joined(separator: "\n")
        let body = """
            <h1>Pick an account</h1>
            <p>You are signing in to <b>\(Encoding.html(appName))</b> on another device located near you.
            Only continue if you started this sign-in yourself.</p>
            <form method="post" action="/devicelogin/consent">
              <input type="hidden" name="user_code" value="\(Encoding.html(record.userCode))">
              <label for="upn">Account</label>
              <select id="upn" name="upn">\(options)</select>
              <p>Are you trying to sign in to \(Encoding.html(appName))?</p>
              <button type="submit" name="decision" value="approve">Continue</button>
              <button type="submit" name="decision" value="decline">Cancel</button>
            </form>
            """
        return page(body)
    }

    private static func consent(form: [String: String], state: EmulatorState) async -> Reply {
        guard let userCode = form["user_code"], let record = await state.code(user: userCode),
            record.status == .pending, !record.isExpired(nowMs: Encoding.nowMillis()),
            let tenant = state.fixture.tenant(named: record.tenantID)
        else {
            return page(codeForm(error: "That code didn't work. Check the code and try again."), status: 400)
        }
        if form["decision"] == "decline" {
            await state.setStatus(userCode: record.userCode, .declined)
            return page("<h1>Sign-in canceled</h1><p>You have declined to sign in to the application on your device. You may now close this window.</p>")
        }
        guard let upn = form["upn"], let user = tenant.user(upn: upn) else {
            return page(codeForm(error: "Pick an account of this organization."), status: 400)
        }
        await state.setStatus(userCode: record.userCode, .approved(upn: user.upn))
        return page("<h1>You're signed in</h1><p>\(Encoding.html(user.upn)) has signed in to the application on your device. You may now close this window.</p>")
    }

    private static func codeForm(error: String?) -> String {
        let errorLine = error.map { "<p class=\"error\" role=\"alert\">\(Encoding.html($0))</p>" } ?? ""
        return """
            <h1>Enter code</h1>
            <p>Enter the code displayed on your app or device.</p>
            \(errorLine)
            <form method="post" action="/devicelogin">
              <input name="otc" id="otc" placeholder="Code" autocomplete="off" autofocus maxlength="20">
              <button type="submit">Next</button>
            </form>
            """
    }

    private static func page(_ body: String, status: Int = 200) -> Reply {
        Reply.html(
            """
            <!DOCTYPE html>
            <html lang="en"><head><meta charset="utf-8">
            <meta name="viewport" content="width=device-width, initial-scale=1">
            <title>Sign in to your account (jcfed Entra emulator)</title>
            <style>body{font-family:sans-serif;max-width:28em;margin:3em auto;padding:0 1em}
            .error{color:#a00}input,select,button{font-size:1.1em;margin:.3em 0}</style>
            </head><body>
            \(body)
            <p><small>jcfed Entra emulator: a test stand-in for Microsoft Entra ID.</small></p>
            </body></html>
            """, status: status)
    }
}
