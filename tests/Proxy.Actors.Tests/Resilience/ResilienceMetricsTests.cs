using System.Diagnostics.Metrics;
using Proxy.Actors.Resilience;

namespace Proxy.Actors.Tests.Resilience;

public sealed class ResilienceMetricsTests : BreakerTestKit
{
    [Fact]
    public async Task Every_circuit_transition_is_counted_by_account_and_new_state()
    {
        using var meter = new Meter("test.resilience." + Guid.NewGuid().ToString("N"));
        var counted = new List<string>();
        using var listener = new MeterListener();
        listener.InstrumentPublished = (instrument, l) =>
        {
            if (ReferenceEquals(instrument.Meter, meter))
            {
                l.EnableMeasurementEvents(instrument);
            }
        };
        listener.SetMeasurementEventCallback<long>((instrument, value, tags, _) =>
        {
            var account = tags.ToArray().Single(t => t.Key == "account").Value;
            var state = tags.ToArray().Single(t => t.Key == "state").Value;
            lock (counted)
            {
                counted.Add($"{instrument.Name} {account} {state} +{value}");
            }
        });
        listener.Start();
        StartBreaker(metrics: new ResilienceMetrics(meter));

        await HalfOpenIt();
        Assert.True(Breaker.TryAcquirePermit(out var epoch, out _));
        Breaker.ReportOutcome(FailureKind.None, epoch);
        await Settled();

        lock (counted)
        {
            Assert.Equal(
                [
                    "qwen_proxy.circuit_breaker.transitions acct open +1",
                    "qwen_proxy.circuit_breaker.transitions acct half_open +1",
                    "qwen_proxy.circuit_breaker.transitions acct closed +1",
                ],
                counted);
        }
    }
}
