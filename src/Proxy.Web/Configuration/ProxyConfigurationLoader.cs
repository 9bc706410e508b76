using System.Text.Json;

namespace Proxy.Web.Configuration;

/// <summary>
/// Builds the configuration in the documented order: appsettings.json &lt; <c>--config FILE.json</c>
/// &lt; environment &lt; command line (<c>--SERVER_PORT 9000</c>, <c>--port=9000</c>).
/// </summary>
internal static class ProxyConfigurationLoader
{
    public const string ConfigArgument = "--config";

    /// <summary><c>--accounts FILE</c> is <c>ACCOUNTS_FILE</c> on the command line.</summary>
    private static readonly Dictionary<string, string> SwitchMappings = new(StringComparer.OrdinalIgnoreCase)
    {
        ["--accounts"] = "ACCOUNTS_FILE",
    };

    public static IConfigurationRoot Load(string[] args, string? appSettingsPath, IReadOnlyDictionary<string, string?>? environment)
    {
        var (configFile, remaining) = ExtractConfigFile(args);
        var builder = new ConfigurationBuilder();
        builder.AddJsonFile(appSettingsPath ?? Path.Combine(AppContext.BaseDirectory, "appsettings.json"), optional: true, reloadOnChange: false);

        if (configFile is not null)
        {
            var fullPath = Path.GetFullPath(configFile);
            if (!File.Exists(fullPath))
            {
                throw ProxyConfigurationException.Invalid(ConfigArgument, $"points to '{configFile}', which does not exist.");
            }

            builder.AddJsonFile(fullPath, optional: false, reloadOnChange: false);
        }

        if (environment is null)
        {
            builder.AddEnvironmentVariables();
        }
        else
        {
            builder.AddInMemoryCollection(environment);
        }

        builder.AddCommandLine(remaining, SwitchMappings);

        try
        {
            return builder.Build();
        }
        catch (Exception ex) when (ex is InvalidDataException or JsonException or FormatException)
        {
            var source = ex is FormatException ? "command line" : ConfigArgument;
            var reason = (ex.InnerException ?? ex).Message.ReplaceLineEndings(" ");
            throw ProxyConfigurationException.Invalid(source, $"could not be read: {reason}");
        }
    }

    /// <summary>Splits <c>--config FILE</c> / <c>--config=FILE</c> from the other arguments.</summary>
    public static (string? ConfigFile, string[] Remaining) ExtractConfigFile(string[] args)
    {
        string? configFile = null;
        var remaining = new List<string>(args.Length);
        for (var i = 0; i < args.Length; i++)
        {
            var arg = args[i];
            if (string.Equals(arg, ConfigArgument, StringComparison.OrdinalIgnoreCase))
            {
                if (i + 1 >= args.Length)
                {
                    throw ProxyConfigurationException.Invalid(ConfigArgument, "needs a file name, e.g. --config proxy.json.");
                }

                configFile = args[++i];
            }
            else if (arg.StartsWith(ConfigArgument + "=", StringComparison.OrdinalIgnoreCase))
            {
                configFile = arg[(ConfigArgument.Length + 1)..];
            }
            else
            {
                remaining.Add(arg);
            }
        }

        return (configFile, remaining.ToArray());
    }
}
