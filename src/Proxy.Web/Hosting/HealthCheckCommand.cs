using Proxy.Web.Configuration;

namespace Proxy.Web.Hosting;

/// <summary>
/// The <c>healthcheck</c> subcommand (for container health checks, where no curl is at hand):
/// asks the running server's <c>/health</c> on its configured address; exit 0 when it answers 200.
/// </summary>
internal static class HealthCheckCommand
{
    public static async Task<int> RunAsync(string[] args, TextWriter error, CancellationToken cancellationToken)
    {
        ProxyOptions options;
        try
        {
            options = ProxyOptionsParser.Parse(ProxyConfigurationLoader.Load(args, appSettingsPath: null, environment: null));
        }
        catch (ProxyConfigurationException ex)
        {
            await error.WriteLineAsync(ex.Message);
            return Program.ConfigurationErrorExitCode;
        }

        var host = options.Host is "0.0.0.0" or "::" or "*" or "+" ? "127.0.0.1" : options.Host;
        var scheme = options.EnableTls ? "https" : "http";
        using var handler = new SocketsHttpHandler();
        if (options.EnableTls)
        {
            // The container checks itself over loopback: the certificate names the public host, so
            // only that mismatch is forgiven; the chain must still be valid.
            handler.SslOptions.RemoteCertificateValidationCallback = static (_, _, _, errors) =>
                errors is System.Net.Security.SslPolicyErrors.None or System.Net.Security.SslPolicyErrors.RemoteCertificateNameMismatch;
        }

        using var http = new HttpClient(handler) { Timeout = TimeSpan.FromSeconds(3) };
        try
        {
            using var response = await http.GetAsync(new UriBuilder(scheme, host, options.Port, "/health").Uri, cancellationToken);
            if (response.IsSuccessStatusCode)
            {
                return 0;
            }

            await error.WriteLineAsync($"unhealthy: /health answered {(int)response.StatusCode}");
            return 1;
        }
        catch (Exception ex) when (ex is HttpRequestException or TaskCanceledException)
        {
            await error.WriteLineAsync("unhealthy: " + ex.Message);
            return 1;
        }
    }
}
