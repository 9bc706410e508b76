using System.Net;
using Microsoft.Extensions.DependencyInjection;
using Proxy.Web.Accounts;

namespace Proxy.EndToEnd.Tests.Pool;

/// <summary>A key replaced in the accounts file applies without a restart; other changes wait for one; a broken file changes nothing.</summary>
public sealed class KeyRotationTests
{
    private static async Task<HttpStatusCode> ChatAsync(PoolGateway gateway)
    {
        using var request = PoolGateway.Chat(stream: false);
        using var response = await gateway.Client.SendAsync(request);
        return response.StatusCode;
    }

    private static AccountsFileReloader Reloader(PoolGateway gateway) => gateway.Proxy.Services.GetRequiredService<AccountsFileReloader>();

    [Fact]
    public async Task A_rejected_key_replaced_in_the_file_revives_its_account_without_a_restart()
    {
        await using var gateway = await PoolGateway.StartAsync([("only", null)], wrongKey: [0]);
        Assert.Equal(HttpStatusCode.ServiceUnavailable, await ChatAsync(gateway));
        Assert.Equal(HttpStatusCode.ServiceUnavailable, await ChatAsync(gateway));
        Assert.Single(gateway.Emulators[0].State.Requests);

        // The watcher reads the file again when it is replaced; the test waits for that reading, not for time.
        var rotated = new TaskCompletionSource<AccountsReload>(TaskCreationOptions.RunContinuationsAsynchronously);
        Reloader(gateway).Reloaded += reload =>
        {
            if (reload.Rotated.Count > 0)
            {
                rotated.TrySetResult(reload);
            }
        };
        await gateway.RewriteAccountsAsync(text => text.Replace("sk-revoked-0", PoolGateway.KeyOf(0), StringComparison.Ordinal));
        var reload = await rotated.Task.WaitAsync(TimeSpan.FromSeconds(10));

        Assert.Equal(["only"], reload.Rotated);
        Assert.Empty(reload.AtNextStart);
        Assert.Equal(HttpStatusCode.OK, await ChatAsync(gateway));
        Assert.Equal("Bearer " + PoolGateway.KeyOf(0), gateway.Emulators[0].State.Requests[^1].Headers["Authorization"]);
        Assert.Contains($"Account only takes its new key …{PoolGateway.KeyOf(0)[^4..]} from api_key and is alive again", gateway.LogText, StringComparison.Ordinal);
        Assert.DoesNotContain(PoolGateway.KeyOf(0), gateway.LogText, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Changes_other_than_keys_wait_for_the_next_start_and_a_broken_file_changes_nothing()
    {
        await using var gateway = await PoolGateway.StartAsync([("a", null), ("b", null)], "\"strategy\":\"fill-first\",");

        await gateway.RewriteAccountsAsync(text => text
            .Replace("\"fill-first\"", "\"round-robin\"", StringComparison.Ordinal)
            .Replace($"\"api_key\":\"{PoolGateway.KeyOf(1)}\"", $"\"api_key\":\"{PoolGateway.KeyOf(1)}\",\"weight\":3", StringComparison.Ordinal)
            .Replace("]}", ",{\"name\":\"c\",\"base_url\":\"http://127.0.0.1:9/v1\",\"api_key\":\"sk-new-account\"}]}", StringComparison.Ordinal));
        var changed = Reloader(gateway).Reload();

        Assert.Empty(changed.Rotated);
        Assert.Equal(["b changed", "c added", "the strategy or affinity"], changed.AtNextStart);
        Assert.Null(changed.Refused);
        Assert.Contains("The accounts file changed in ways that apply at the next start, not now: b changed, c added, the strategy or affinity", gateway.LogText, StringComparison.Ordinal);

        await gateway.RewriteAccountsAsync(_ => "{\"accounts\":[");
        var broken = Reloader(gateway).Reload();

        Assert.NotNull(broken.Refused);
        Assert.StartsWith($"Invalid configuration: ACCOUNTS_FILE '{gateway.AccountsFile}' is not a valid accounts file: ", broken.Refused, StringComparison.Ordinal);
        Assert.Contains("The accounts file was read again and refused; the accounts stay as they were", gateway.LogText, StringComparison.Ordinal);
        for (var i = 0; i < 2; i++)
        {
            Assert.Equal(HttpStatusCode.OK, await ChatAsync(gateway));
        }

        Assert.Equal([2, 0], gateway.Counts); // still fill-first, still two accounts
    }
}
