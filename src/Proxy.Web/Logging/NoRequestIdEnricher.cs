using Serilog.Core;
using Serilog.Events;

namespace Proxy.Web.Logging;

/// <summary>Marks log lines outside any request with <c>RequestId</c> "-".</summary>
internal sealed class NoRequestIdEnricher : ILogEventEnricher
{
    private static readonly LogEventProperty None = new(RequestIdScope.PropertyName, new ScalarValue("-"));

    public void Enrich(LogEvent logEvent, ILogEventPropertyFactory propertyFactory) => logEvent.AddPropertyIfAbsent(None);
}
