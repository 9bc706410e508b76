using Proxy.LoadClient.Load;

namespace Proxy.LoadClient.Soak;

/// <summary>
/// One kind of request in the soak's mix: streaming or not, the upstream fault it carries (an
/// emulator <c>fault=</c> value, applied to every attempt the proxy makes), or a cancel by the client
/// part way through the stream.
/// </summary>
internal sealed record SoakKind(string Name, bool Stream, string? Fault, bool Cancel)
{
    /// <summary>A fault the proxy meets after it has started the client's stream: the client gets 200, then a broken stream.</summary>
    public bool FaultsInsideStream => Stream && Fault is not null && Fault.StartsWith("reset_mid", StringComparison.Ordinal);

    /// <summary>The prepared request, its scenario carried in the message text for <see cref="FaultRelay"/>.</summary>
    public ChatRequest Request(BenchOptions options) =>
        new(options.Model, Stream, options.ApiKey, Fault is null ? null : "fault=" + Fault,
            Fault is null ? null : FaultRelay.Marker("fault=" + Fault));
}
