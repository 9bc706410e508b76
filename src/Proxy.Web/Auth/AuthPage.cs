using System.Globalization;
using System.Text;
using System.Text.Encodings.Web;
using Proxy.Actors.Auth;

namespace Proxy.Web.Auth;

/// <summary>
/// The HTML of <c>GET /auth</c>: self-contained, no outside resources; a button starts a login
/// (<c>POST /auth/login</c>) and a little script polls <c>/auth/status</c>. With client keys set, a
/// browser without the key's cookie sees only the key form.
/// </summary>
internal static class AuthPage
{
    private const string Script = """
        <script>
        (function () {
          var status = document.getElementById('status');
          var again = document.getElementById('again');
          if (again) {
            again.addEventListener('click', function () {
              fetch('/auth/login', { method: 'POST', headers: { 'Accept': 'application/json' } })
                .then(function () { location.reload(); });
            });
          }
          if (!document.getElementById('pending')) { return; }
          function poll() {
            fetch('/auth/status', { headers: { 'Accept': 'application/json' } })
              .then(function (r) { return r.json(); })
              .then(function (s) {
                if (s.login.status === 'pending') { setTimeout(poll, 2000); return; }
                // Approved: the page shown again tells the account's new state.
                if (s.login.status === 'approved') { location.reload(); return; }
                status.textContent = s.login.message || ('Login ' + s.login.status + '.');
                status.className = 'bad';
                if (again) { again.hidden = false; }
              })
              .catch(function () { setTimeout(poll, 5000); });
          }
          setTimeout(poll, 2000);
        })();
        </script>
        """;

    private const string Head = """
        <!doctype html>
        <html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
        <title>qwen-proxy login</title>
        <style>
        body{font-family:system-ui,sans-serif;max-width:40rem;margin:2rem auto;padding:0 1rem;line-height:1.5}
        code{font-size:1.4rem;letter-spacing:.1rem}.qr svg{width:16rem;height:16rem}
        .ok{color:#05660f}.bad{color:#a0001b}button{font-size:1rem;padding:.4rem 1rem}
        input{font-size:1rem;padding:.4rem;width:20rem;max-width:100%}
        </style></head><body>
        <h1>qwen-proxy login</h1>

        """;

    /// <summary>The form asking for one of PROXY_API_KEYS, the only thing shown to a browser without the key.</summary>
    public static string RenderKeyForm(string? error)
    {
        var html = new StringBuilder(2048).Append(Head);
        html.Append("""
            <p>This proxy requires one of its client keys (<code>PROXY_API_KEYS</code>) before it shows the login.</p>
            <form method="post" action="/auth/key">
            <p><label for="key">Proxy key</label><br><input id="key" name="key" type="password" autocomplete="current-password" required autofocus></p>
            <p><button id="send-key" type="submit">Continue</button></p>
            </form>

            """);
        if (error is not null)
        {
            html.Append(CultureInfo.InvariantCulture, $"<p id=\"key-error\" class=\"bad\">{Encode(error)}</p>\n");
        }

        return html.Append("</body></html>\n").ToString();
    }

    public static string Render(LoginStatus login, AuthSnapshot account)
    {
        var html = new StringBuilder(4096);
        html.Append(Head);
        AppendAccount(html, account);
        if (login.Phase == LoginPhase.Pending && login.VerificationUriComplete is { } url)
        {
            var link = Encode(url.AbsoluteUri);
            html.Append(CultureInfo.InvariantCulture, $"""
                <div id="pending">
                <p>Open <a href="{link}" target="_blank" rel="noopener noreferrer">{link}</a> and approve the login, or scan the code:</p>
                <div class="qr">{QrCodes.ToSvg(url.AbsoluteUri)}</div>
                <p>User code: <code>{Encode(login.UserCode ?? string.Empty)}</code></p>
                <p id="status">Waiting for approval (the code expires at {login.ExpiresAt?.UtcDateTime:HH:mm:ss} UTC) …</p>
                </div>
                <p><button id="again" hidden>Start a new login</button></p>

                """);
        }
        else
        {
            if (login.Phase is not LoginPhase.Idle and not LoginPhase.Pending)
            {
                var css = login.Phase == LoginPhase.Approved ? "ok" : "bad";
                html.Append(CultureInfo.InvariantCulture, $"<p id=\"status\" class=\"{css}\">Last login: {Encode(login.Phase.ToString().ToLowerInvariant())}. {Encode(login.Message ?? string.Empty)}</p>\n");
            }

            html.Append(account.IsUsable
                ? "<p><button id=\"again\">Log in again</button></p>\n"
                : "<p><button id=\"again\">Log in with Qwen</button></p>\n");
        }

        html.Append(Script).Append("\n</body></html>\n");
        return html.ToString();
    }

    private static void AppendAccount(StringBuilder html, AuthSnapshot account)
    {
        var text = account.State switch
        {
            AuthState.Valid or AuthState.Refreshing => string.Create(
                CultureInfo.InvariantCulture,
                $"Account {account.Account} is logged in; the access token is valid until {account.ExpiresAt?.UtcDateTime:yyyy-MM-dd HH:mm} UTC."),
            AuthState.Dead => $"Account {account.Account} needs a new login: {account.LastError}",
            _ => $"Account {account.Account} has no credential yet.",
        };
        var css = account.IsUsable ? "ok" : "bad";
        html.Append(CultureInfo.InvariantCulture, $"<p id=\"account\" class=\"{css}\">{Encode(text)}</p>\n");
    }

    private static string Encode(string text) => HtmlEncoder.Default.Encode(text);
}
