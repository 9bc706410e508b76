using System.Globalization;
using Microsoft.Extensions.Logging.Abstractions;
using Proxy.Actors.Auth;
using Proxy.Web.Configuration;

namespace Proxy.Web.Auth;

/// <summary>
/// The <c>login</c> subcommand: a device login in the terminal. Prints the verification URL, the
/// user code and a QR code, opens a browser when there is a desktop, waits for the approval and
/// saves the credential where the Qwen Code CLI keeps it. Returns a <see cref="LoginExitCodes"/> value.
/// </summary>
public static class LoginCommand
{
    private static readonly TimeSpan HttpTimeout = TimeSpan.FromSeconds(30);

    /// <summary>
    /// Reads the configuration the server would read (<c>--config</c>, environment such as
    /// <c>QWEN_DIR</c> and <c>QWEN_OAUTH_BASE_URL</c>, command line) and runs the login.
    /// </summary>
    public static async Task<int> RunAsync(string[] args, TextWriter output, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(output);
        ProxyOptions options;
        try
        {
            options = ProxyOptionsParser.Parse(ProxyConfigurationLoader.Load(args ?? [], appSettingsPath: null, environment: null));
        }
        catch (ProxyConfigurationException ex)
        {
            await output.WriteLineAsync(ex.Message);
            return LoginExitCodes.ConfigurationError;
        }

        return await RunAsync(options.ToQwenAuthOptions(), output, cancellationToken);
    }

    public static async Task<int> RunAsync(QwenAuthOptions options, TextWriter output, CancellationToken cancellationToken)
    {
        using var handler = new SocketsHttpHandler { PooledConnectionLifetime = TimeSpan.FromMinutes(5) };
        using var http = new HttpClient(handler) { Timeout = HttpTimeout };
        return await RunAsync(options, output, http, TimeProvider.System, new BrowserLauncher(), cancellationToken);
    }

    internal static async Task<int> RunAsync(
        QwenAuthOptions options,
        TextWriter output,
        HttpClient http,
        TimeProvider time,
        BrowserLauncher browser,
        CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(output);
        var client = new DeviceFlowClient(http, options.OAuthBaseUrl, time, NullLogger<DeviceFlowClient>.Instance);
        try
        {
            await output.WriteLineAsync($"Logging in to Qwen at {options.OAuthBaseUrl.GetLeftPart(UriPartial.Authority)} ...");
            DeviceAuthorization authorization;
            try
            {
                authorization = await client.RequestDeviceCodeAsync(cancellationToken);
            }
            catch (DeviceFlowException ex)
            {
                await output.WriteLineAsync("Login failed: " + ex.Message);
                return ex.Status == DeviceLoginStatus.NetworkError ? LoginExitCodes.NetworkError : LoginExitCodes.Rejected;
            }

            await PrintInstructionsAsync(output, authorization, browser.TryOpen(authorization.VerificationUriComplete));
            var result = await client.PollForTokenAsync(authorization, cancellationToken);
            return result.Status switch
            {
                DeviceLoginStatus.Approved => await SaveAsync(options, output, result.Credentials!, cancellationToken),
                DeviceLoginStatus.Denied => await FailAsync(output, "Login denied: the request was rejected in the browser. Run the login again to retry.", LoginExitCodes.Denied),
                DeviceLoginStatus.Expired => await FailAsync(output, "Login expired: the code was not approved in time. Run the login again for a new code.", LoginExitCodes.Expired),
                DeviceLoginStatus.NetworkError => await FailAsync(output, "Login failed: " + result.Message, LoginExitCodes.NetworkError),
                _ => await FailAsync(output, "Login failed: " + result.Message, LoginExitCodes.Rejected),
            };
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            await output.WriteLineAsync("Login cancelled.");
            return LoginExitCodes.Cancelled;
        }
    }

    private static async Task PrintInstructionsAsync(TextWriter output, DeviceAuthorization authorization, bool browserOpened)
    {
        var url = authorization.VerificationUriComplete.AbsoluteUri;
        await output.WriteLineAsync();
        await output.WriteLineAsync(browserOpened
            ? "A browser window was opened. If it did not appear, open this URL and approve the login:"
            : "Open this URL in a browser (or scan the QR code) and approve the login:");
        await output.WriteLineAsync();
        await output.WriteLineAsync("    " + url);
        await output.WriteLineAsync();
        await output.WriteLineAsync("User code: " + authorization.UserCode);
        await output.WriteLineAsync();
        await output.WriteAsync(QrCodes.ToTerminal(url));
        await output.WriteLineAsync();
        await output.WriteLineAsync(string.Create(
            CultureInfo.InvariantCulture,
            $"Waiting for approval (the code expires at {authorization.ExpiresAt.UtcDateTime:HH:mm:ss} UTC) ..."));
    }

    private static async Task<int> SaveAsync(QwenAuthOptions options, TextWriter output, QwenCredentials credentials, CancellationToken cancellationToken)
    {
        var store = new FileCredentialStore(options.QwenDir, TimeProvider.System, NullLogger<FileCredentialStore>.Instance);
        try
        {
            try
            {
                await store.RunUnderRefreshLockAsync(
                    async ct =>
                    {
                        await store.SaveAsync(credentials, ct);
                        return true;
                    },
                    cancellationToken);
            }
            catch (CredentialLockTimeoutException)
            {
                // A new login must not be lost to a stuck lock; the write itself is atomic.
                await store.SaveAsync(credentials, cancellationToken);
            }
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            await output.WriteLineAsync($"Login approved, but the credential could not be saved to {store.Path}: {ex.Message}");
            return LoginExitCodes.Failed;
        }

        await output.WriteLineAsync(string.Create(
            CultureInfo.InvariantCulture,
            $"Logged in. Credential saved to {store.Path} (token {credentials.AccessTokenHint}, expires {credentials.ExpiresAt.UtcDateTime:yyyy-MM-dd HH:mm} UTC)."));
        await output.WriteLineAsync("API base: " + ApiBaseResolver.Resolve(credentials.ResourceUrl, options.ApiBaseOverride));
        return LoginExitCodes.Success;
    }

    private static async Task<int> FailAsync(TextWriter output, string message, int exitCode)
    {
        await output.WriteLineAsync(message);
        return exitCode;
    }
}
