using Proxy.Actors.Resilience;
using Proxy.Web.Gateway;

namespace Proxy.Web.Tests.Gateway;

public sealed class FailoverRuleTests
{
    [Fact]
    public void Only_account_level_failures_before_the_first_byte_move_a_request_on()
    {
        Assert.True(GatewayChatHandler.MovesOn(FailureKind.QuotaExhausted, 429));
        Assert.True(GatewayChatHandler.MovesOn(FailureKind.UpstreamClientError, 403));
        Assert.False(GatewayChatHandler.MovesOn(FailureKind.UpstreamClientError, 400));
        Assert.False(GatewayChatHandler.MovesOn(FailureKind.ClientCanceled, 0));
        Assert.False(GatewayChatHandler.MovesOn(FailureKind.ShuttingDown, 0));
    }
}
