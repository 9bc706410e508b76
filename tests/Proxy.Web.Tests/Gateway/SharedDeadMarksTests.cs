using Proxy.Actors.Resilience;
using Proxy.Web.Accounts;
using Proxy.Web.Gateway;

namespace Proxy.Web.Tests.Gateway;

public sealed class SharedDeadMarksTests
{
    [Fact]
    public void A_dead_mark_is_published_once_as_a_day_long_cooldown_with_the_reason()
    {
        var time = new FakeTimeProvider();
        var store = new RecordingStore();
        var state = new AccountState(Accounts.Pools.Key("a"), 0, time);
        var cooldown = new AccountCooldown("a", time, store: store);
        SharedDeadMarks.Share(state, cooldown, store, time, Microsoft.Extensions.Logging.Abstractions.NullLogger.Instance);

        state.Observe(FailureKind.AuthRequired, null);
        state.Observe(FailureKind.AuthRequired, null);

        var until = time.GetUtcNow().AddHours(24);
        Assert.Equal(new CooldownSnapshot(until, "invalid_api_key"), cooldown.Snapshot);
        Assert.Equal([("a", until)], store.Published);
    }

    private sealed class RecordingStore : ICooldownStore
    {
        public List<(string Account, DateTimeOffset Until)> Published { get; } = [];

        public ValueTask PublishAsync(string account, DateTimeOffset until, CancellationToken cancellationToken)
        {
            Published.Add((account, until));
            return ValueTask.CompletedTask;
        }
    }
}
