using System.Globalization;
using Proxy.Web.Configuration;
using Proxy.Web.Hosting;
using Serilog;
using Serilog.Events;
using Serilog.Formatting;
using Serilog.Formatting.Display;
using Serilog.Formatting.Json;

namespace Proxy.Web.Logging;

/// <summary>Serilog to the console (or a given writer), text or JSON, at the configured level.</summary>
internal static class LoggingSetup
{
    public const string TextTemplate =
        "{Timestamp:yyyy-MM-ddTHH:mm:ss.fffzzz} {Level:u3} [{RequestId}] {SourceContext}: {Message:lj}{NewLine}{Exception}";

    public static Serilog.Core.Logger CreateLogger(ProxyOptions options, TextWriter? output)
    {
        var level = options.EffectiveLogLevel switch
        {
            ProxyLogLevel.Debug => LogEventLevel.Debug,
            ProxyLogLevel.Warn => LogEventLevel.Warning,
            ProxyLogLevel.Error => LogEventLevel.Error,
            _ => LogEventLevel.Information,
        };
        var frameworkLevel = level < LogEventLevel.Warning ? LogEventLevel.Warning : level;

        ITextFormatter formatter = options.LogFormat == ProxyLogFormat.Json
            ? new JsonFormatter(renderMessage: true)
            : new MessageTemplateTextFormatter(TextTemplate, CultureInfo.InvariantCulture);

        var configuration = new LoggerConfiguration()
            .MinimumLevel.Is(level)
            .MinimumLevel.Override("Microsoft.AspNetCore", frameworkLevel)
            .MinimumLevel.Override("Microsoft.Extensions.Http", frameworkLevel)
            .MinimumLevel.Override("System.Net.Http", frameworkLevel)
            .MinimumLevel.Override("Microsoft.Hosting.Lifetime", frameworkLevel)
            .Filter.ByExcluding(e => BindFailure.IsBindFailure(e.Exception)) // told as one line by Program
            .Enrich.FromLogContext()
            .Enrich.With<NoRequestIdEnricher>();

        configuration = output is null
            ? configuration.WriteTo.Console(formatter)
            : configuration.WriteTo.Sink(new TextWriterSink(output, formatter));

        return configuration.CreateLogger();
    }
}
