using Proxy.LoadClient.Load;
using Proxy.LoadClient.Soak;

namespace Proxy.LoadClient.Tests.Soak;

public sealed class SoakOutcomesTests
{
    private static readonly SoakKind Clean = new("stream", true, null, false);
    private static readonly SoakKind Cancel = new("stream, cancelled", true, null, true);
    private static readonly SoakKind MidStream = new("stream, fault reset_mid", true, "reset_mid:4", false);
    private static readonly SoakKind MidBody = new("non-streaming, fault reset_mid", false, "reset_mid:4", false);
    private static readonly SoakKind Status = new("stream, fault 503", true, "503", false);

    private static RequestSample Ok(bool released = false) => new(true, 200, null, 1, 1, 1, 5, []) { Released = released };

    private static RequestSample Failed(int status, string error, string? code = null) => new(false, status, error, 1, 1, null, 0, []) { ErrorCode = code };

    [Fact]
    public void Clean_request_succeeds_or_fails_otherwise()
    {
        Assert.Equal(SoakOutcome.Succeeded, SoakOutcomes.Classify(Clean, Ok()));
        Assert.Equal(SoakOutcome.FailedOtherwise, SoakOutcomes.Classify(Clean, Failed(503, "HTTP 503", "circuit_open")));
    }

    [Fact]
    public void Cancel_counts_only_when_the_stream_was_cut_while_sound()
    {
        Assert.Equal(SoakOutcome.Cancelled, SoakOutcomes.Classify(Cancel, Ok(released: true)));
        Assert.Equal(SoakOutcome.Succeeded, SoakOutcomes.Classify(Cancel, Ok()));
        Assert.Equal(SoakOutcome.Cancelled, SoakOutcomes.Classify(Cancel, Failed(0, "still waiting for headers when released") with { Released = true }));
        Assert.Equal(SoakOutcome.FailedOtherwise, SoakOutcomes.Classify(Cancel, Failed(503, "HTTP 503") with { Released = true }));
        Assert.Equal(SoakOutcome.FailedOtherwise, SoakOutcomes.Classify(Cancel, Failed(200, "error event in stream") with { Released = true }));
        Assert.Equal(SoakOutcome.FailedOtherwise, SoakOutcomes.Classify(Cancel, Failed(0, "HttpRequestException before the response: refused")));
    }

    [Fact]
    public void Mid_stream_fault_must_break_a_started_stream()
    {
        Assert.Equal(SoakOutcome.FaultBroke, SoakOutcomes.Classify(MidStream, Failed(200, "error event in stream")));
        Assert.Equal(SoakOutcome.FailedOtherwise, SoakOutcomes.Classify(MidStream, Failed(503, "HTTP 503", "circuit_open")));
        Assert.Equal(SoakOutcome.FaultNotSeen, SoakOutcomes.Classify(MidStream, Ok()));
    }

    [Fact]
    public void Fault_before_the_answer_must_reach_the_client_as_an_error_status_not_the_breakers()
    {
        Assert.Equal(SoakOutcome.FaultBroke, SoakOutcomes.Classify(Status, Failed(502, "HTTP 502", "upstream_error")));
        Assert.Equal(SoakOutcome.FaultBroke, SoakOutcomes.Classify(MidBody, Failed(502, "HTTP 502")));
        Assert.Equal(SoakOutcome.FailedOtherwise, SoakOutcomes.Classify(Status, Failed(503, "HTTP 503", "circuit_open")));
        Assert.Equal(SoakOutcome.FailedOtherwise, SoakOutcomes.Classify(Status, Failed(200, "error event in stream")));
        Assert.Equal(SoakOutcome.FaultNotSeen, SoakOutcomes.Classify(MidBody, Ok()));
    }

    [Fact]
    public void Tally_counts_outcomes_and_names_the_unexpected()
    {
        var tally = new SoakTally();

        tally.Add(Clean, Ok());
        tally.Add(Cancel, Ok(released: true));
        tally.Add(MidStream, Failed(200, "error event in stream"));
        tally.Add(Clean, Failed(503, "HTTP 503", "circuit_open"));
        tally.Add(Clean, Failed(503, "HTTP 503", "circuit_open"));
        tally.Add(MidBody, Ok());

        Assert.Equal(new Proxy.LoadClient.Report.SoakCounts(6, 5, 2, 1, 1, 1, 1, 1, 2), tally.Counts());
        Assert.Equal(3, tally.Unexpected);
        Assert.Equal(["2 x stream: HTTP 503 circuit_open", "1 x non-streaming, fault reset_mid: answered as a success"], tally.TopUnexpected(5));
    }
}
