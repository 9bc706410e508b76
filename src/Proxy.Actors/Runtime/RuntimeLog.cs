using Microsoft.Extensions.Logging;

namespace Proxy.Actors.Runtime;

/// <summary>The runtime's log lines, event ids 1000-1099.</summary>
internal static partial class RuntimeLog
{
    [LoggerMessage(EventId = 1000, Level = LogLevel.Error, Message = "Actor {Path} failed; supervisor directive: {Directive}.")]
    public static partial void ActorFailed(ILogger logger, string path, Directive directive, Exception error);

    [LoggerMessage(EventId = 1001, Level = LogLevel.Error, Message = "Actor {Path} reached its restart limit ({Restarts} restarts in the window) and is stopped.")]
    public static partial void RestartLimitReached(ILogger logger, string path, int restarts);

    [LoggerMessage(EventId = 1002, Level = LogLevel.Error, Message = "The supervisor decider for {Path} threw; the actor is stopped.")]
    public static partial void DeciderFailed(ILogger logger, string path, Exception error);

    [LoggerMessage(EventId = 1003, Level = LogLevel.Error, Message = "PreRestart of {Path} threw; the restart goes on.")]
    public static partial void PreRestartFailed(ILogger logger, string path, Exception error);

    [LoggerMessage(EventId = 1004, Level = LogLevel.Error, Message = "PostStop of {Path} threw; the stop goes on.")]
    public static partial void PostStopFailed(ILogger logger, string path, Exception error);

    [LoggerMessage(EventId = 1005, Level = LogLevel.Critical, Message = "The message loop of {Path} failed unexpectedly; the actor is stopped.")]
    public static partial void LoopFailed(ILogger logger, string path, Exception error);

    [LoggerMessage(EventId = 1010, Level = LogLevel.Debug, Message = "Dead letter: {MessageType} to stopped actor {Path}.")]
    public static partial void DeadLetterStopped(ILogger logger, string messageType, string path);

    [LoggerMessage(EventId = 1011, Level = LogLevel.Warning, Message = "Dead letter: {MessageType} refused by the full mailbox of {Path}.")]
    public static partial void DeadLetterMailboxFull(ILogger logger, string messageType, string path);
}
