using Proxy.Web.Configuration;

namespace Proxy.Web;

public static class Program
{
    /// <summary>Exit code for a configuration that stops start-up.</summary>
    public const int ConfigurationErrorExitCode = 2;

    /// <summary>
    /// The <c>login</c> subcommand (device login in the terminal): receives the arguments after
    /// <c>login</c> and returns the exit code. Null until the login command is registered here.
    /// </summary>
    internal static Func<string[], CancellationToken, Task<int>>? LoginCommand { get; set; }

    public static Task<int> Main(string[] args) => RunAsync(args, Console.Error, CancellationToken.None);

    internal static async Task<int> RunAsync(string[] args, TextWriter error, CancellationToken cancellationToken)
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

        WebApplication app;
        try
        {
            app = ProxyHost.Build(args);
        }
        catch (ProxyConfigurationException ex)
        {
            await error.WriteLineAsync(ex.Message);
            return ConfigurationErrorExitCode;
        }

        await using (app)
        {
            await app.RunAsync(cancellationToken);
        }

        return 0;
    }
}
