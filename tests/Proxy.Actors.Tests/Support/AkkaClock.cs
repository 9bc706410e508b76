using Akka.Actor;
using Akka.TestKit;
using Microsoft.Extensions.Time.Testing;

namespace Proxy.Actors.Tests.Support;

/// <summary>
/// The one clock of an actor test: the <see cref="TimeProvider"/> the code reads and Akka's
/// <see cref="TestScheduler"/> that fires its timers, advanced together, the time first (so a timer
/// that fires sees the time it was due at).
/// </summary>
internal sealed class AkkaClock(ActorSystem system)
{
    /// <summary>HOCON that makes a test system's scheduler the <see cref="TestScheduler"/>.</summary>
    public const string Hocon = """
        akka.scheduler.implementation = "Akka.TestKit.TestScheduler, Akka.TestKit"
        akka.loglevel = WARNING
        """;

    public FakeTimeProvider Time { get; } = new(new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero));

    public TestScheduler Scheduler { get; } = (TestScheduler)system.Scheduler;

    public void Advance(TimeSpan by)
    {
        Time.Advance(by);
        Scheduler.Advance(by);
    }
}
