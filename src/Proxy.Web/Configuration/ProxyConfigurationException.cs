namespace Proxy.Web.Configuration;

/// <summary>
/// A configuration value that stops start-up. <see cref="Exception.Message"/> is the one line
/// printed to the operator; it names the variable and never shows a secret.
/// </summary>
public sealed class ProxyConfigurationException : Exception
{
    public ProxyConfigurationException()
        : this("configuration", "Invalid configuration.")
    {
    }

    public ProxyConfigurationException(string message)
        : this("configuration", message)
    {
    }

    public ProxyConfigurationException(string message, Exception innerException)
        : base(message, innerException)
    {
        Variable = "configuration";
    }

    /// <param name="variable">The variable at fault.</param>
    /// <param name="message">The whole line shown to the operator; it must name <paramref name="variable"/>.</param>
    public ProxyConfigurationException(string variable, string message)
        : base(message)
    {
        Variable = variable;
    }

    /// <summary>The variable (or argument) at fault, e.g. <c>SERVER_PORT</c>.</summary>
    public string Variable { get; }

    /// <summary>"Invalid configuration: VARIABLE problem".</summary>
    public static ProxyConfigurationException Invalid(string variable, string problem) =>
        new(variable, $"Invalid configuration: {variable} {problem}");
}
