using Microsoft.Extensions.Logging;
using Proxy.Actors.Resilience;

namespace Proxy.Actors.Streaming;

internal static partial class StreamLog
{
    [LoggerMessage(EventId = 3001, Level = LogLevel.Debug, Message = "Stream {RequestId}: {From} -> {To} ({Reason})")]
    public static partial void Transition(ILogger logger, string requestId, StreamState from, StreamState to, string reason);

    [LoggerMessage(EventId = 3002, Level = LogLevel.Debug, Message = "Stream {RequestId}: malformed upstream event skipped ({Count} so far)")]
    public static partial void Malformed(ILogger logger, string requestId, int count);

    [LoggerMessage(EventId = 3003, Level = LogLevel.Debug, Message = "Stream {RequestId} ended: {Outcome}, {Events} events, {Repairs} repairs, {Attempts} attempts")]
    public static partial void Completed(ILogger logger, string requestId, FailureKind outcome, int events, int repairs, int attempts);
}
