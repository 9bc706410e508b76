using System.Diagnostics;
using Proxy.Actors.Resilience;

namespace Proxy.Web.Telemetry;

/// <summary>
/// Makes an upstream call run under the request's span wherever it is invoked. A stream's upstream
/// call runs on its actor, which does not carry the request's execution context; without this the
/// HttpClient span would start a trace of its own and the upstream would get a foreign
/// <c>traceparent</c>.
/// </summary>
internal sealed class ParentedUpstreamCall
{
    private readonly UpstreamCall _call;
    private readonly Activity _parent;

    private ParentedUpstreamCall(UpstreamCall call, Activity parent)
    {
        _call = call;
        _parent = parent;
    }

    /// <summary>The call under <paramref name="parent"/>; as is when there is no span (tracing off), so nothing is added per request.</summary>
    public static UpstreamCall Under(Activity? parent, UpstreamCall call) =>
        parent is null ? call : new ParentedUpstreamCall(call, parent).Invoke;

    private Task<UpstreamResult> Invoke(CancellationToken cancellationToken)
    {
        var previous = Activity.Current;
        Activity.Current = _parent;
        try
        {
            // The async call captures the context here, with the parent set; restored for the caller after.
            return _call(cancellationToken);
        }
        finally
        {
            Activity.Current = previous;
        }
    }
}
