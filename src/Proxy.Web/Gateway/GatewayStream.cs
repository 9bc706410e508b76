using Proxy.Actors.Streaming;

namespace Proxy.Web.Gateway;

/// <summary>A stream job as the breaker spawns it, with the completion the endpoint awaits.</summary>
internal sealed record GatewayStream(StreamJob Job)
{
    public TaskCompletionSource<StreamOutcome> Done { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
}
