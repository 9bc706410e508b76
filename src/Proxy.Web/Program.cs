using Proxy.Web.Configuration;
using Proxy.Web.Hosting;

namespace Proxy.Web;

public static class Program
{
    /// <summary>Exit code for a configuration that stops start-up (a bad value, or an address it cannot listen on).</summary>
    public const int ConfigurationErrorExitCode = 2;

    /// <summary>
    /// The <c>login</c> subcommand (device login in the terminal): receives the arguments after
    /// <c>login</c> and returns the exit code. Tests replace it.
    /// </summary>
    internal static Func<string[], CancellationToken, Task<int>>? LoginCommand { get; set; } =
        (args, cancellationToken) => Auth.LoginCommand.RunAsync(args, Console.Out, cancellationToken);

    public static Task<int> Main(string[] args) => RunAsync(args, Console.Error, CancellationToken.None);

    internal static async Task<int> RunAsync(string[] args, TextWriter error, CancellationToken cancellationToken, ProxyHostOverrides? overrides = null)
    {
        if (args.Length > 0 && string.Equals(args[0], "login", StringComparison.OrdinalIgnoreCase))
        {
            if (LoginCommand is null)
            {
                await error.WriteLineAsync("The login command is not available in this build.");
                return 1;
            }

            return await LoginCommand(args[1..], cancellationToken);
        }

        if (args.Length > 0 && string.Equals(args[0], "healthcheck", StringComparison.OrdinalIgnoreCase))
        {
            return await HealthCheckCommand.RunAsync(args[1..], error, cancellationToken);
        }

        WebApplication app;
        try
        {
            app = ProxyHost.Build(args, configureServices: null, overrides ?? new ProxyHostOverrides());
        }
        catch (ProxyConfigurationException ex)
        {
            await error.WriteLineAsync(ex.Message);
            return ConfigurationErrorExitCode;
        }
        catch (Microsoft.Extensions.Options.OptionsValidationException ex)
        {
            await error.WriteLineAsync(ex.Failures.FirstOrDefault() ?? ex.Message);
            return ConfigurationErrorExitCode;
        }

        await using (app)
        {
            // Read before the run: a host that fails to start has disposed its services by the time it throws.
            ProxyOptions? options = null;
            try
            {
                options = app.Services.GetRequiredService<ProxyOptions>();
                await app.RunAsync(cancellationToken);
            }
            catch (IOException ex) when (options is not null && BindFailure.IsBindFailure(ex))
            {
                await error.WriteLineAsync(BindFailure.Describe(ex, options.Host, options.Port));
                return ConfigurationErrorExitCode;
            }
            catch (Microsoft.Extensions.Options.OptionsValidationException ex)
            {
                // A validator that failed when the host started (ValidateOnStart): its first failure is the one line.
                await error.WriteLineAsync(ex.Failures.FirstOrDefault() ?? ex.Message);
                return ConfigurationErrorExitCode;
            }
        }

        return 0;
    }
}
