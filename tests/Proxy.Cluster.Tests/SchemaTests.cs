using Proxy.Actors.Cluster;
using Proxy.Cluster.Tests.Support;

namespace Proxy.Cluster.Tests;

public sealed class SchemaTests
{
    [Fact]
    public async Task Instances_starting_together_create_the_schema_once_at_the_current_version()
    {
        await using var db = await TestDatabase.CreateAsync();
        var instances = Enumerable.Range(0, 4).Select(i => ClusterInstance.Create(db.ConnectionString, $"i{i}")).ToArray();
        try
        {
            await Task.WhenAll(instances.Select(i => i.Database.EnsureSchemaAsync(CancellationToken.None)));
        }
        finally
        {
            foreach (var instance in instances)
            {
                await instance.DisposeAsync();
            }
        }

        Assert.Equal(1, ClusterSchema.CurrentVersion);
        Assert.Equal(1L, await db.ScalarAsync<long>("SELECT count(*) FROM proxy_schema_version"));
        Assert.Equal(1, await db.ScalarAsync<int>("SELECT max(version) FROM proxy_schema_version"));
        Assert.Equal(
            "account,access_token,refresh_token,token_type,resource_url,expires_at,version,updated_at,updated_by",
            await db.ScalarAsync<string>("SELECT string_agg(column_name, ',' ORDER BY ordinal_position) FROM information_schema.columns WHERE table_name = 'proxy_credentials'"));
        Assert.Equal(
            "account,until,reason,updated_at,updated_by",
            await db.ScalarAsync<string>("SELECT string_agg(column_name, ',' ORDER BY ordinal_position) FROM information_schema.columns WHERE table_name = 'proxy_cooldowns'"));
    }

    [Fact]
    public async Task Database_already_at_the_current_version_is_left_as_it_is()
    {
        await using var db = await TestDatabase.CreateAsync();
        await using (var first = ClusterInstance.Create(db.ConnectionString, "first"))
        {
            await first.Database.EnsureSchemaAsync(CancellationToken.None);
        }

        await db.ExecuteAsync("INSERT INTO proxy_credentials (account, access_token, refresh_token, token_type, expires_at, version, updated_by) VALUES ('qwen', 'kept', 'r', 'Bearer', now(), 7, 'x')");
        await using var second = ClusterInstance.Create(db.ConnectionString, "second");
        await second.Database.EnsureSchemaAsync(CancellationToken.None);

        Assert.Equal(1L, await db.ScalarAsync<long>("SELECT count(*) FROM proxy_schema_version"));
        Assert.Equal("kept", await db.ScalarAsync<string>("SELECT access_token FROM proxy_credentials"));
    }

    [Fact]
    public void Reconnect_waits_double_from_the_first_delay_up_to_the_longest()
    {
        var middle = new ReconnectBackoff(TimeSpan.FromMilliseconds(100), TimeSpan.FromSeconds(1), () => 0.5);
        var low = new ReconnectBackoff(TimeSpan.FromMilliseconds(100), TimeSpan.FromSeconds(1), () => 0.0);
        var high = new ReconnectBackoff(TimeSpan.FromMilliseconds(100), TimeSpan.FromSeconds(1), () => 1.0);

        Assert.Equal(
            [100, 200, 400, 800, 1000, 1000],
            new[] { 1, 2, 3, 4, 5, 40 }.Select(n => middle.Delay(n).TotalMilliseconds));
        Assert.Equal(80, low.Delay(1).TotalMilliseconds);
        Assert.Equal(120, high.Delay(1).TotalMilliseconds);
        Assert.Equal(960, high.Delay(4).TotalMilliseconds);
        Assert.Equal(1000, high.Delay(5).TotalMilliseconds);
    }

    [Fact]
    public void Bad_connection_string_names_the_variable()
    {
        var error = Assert.Throws<ArgumentException>(() => new ClusterOptions { ConnectionString = "Hots=x;Nonsense" }.Validate());

        Assert.StartsWith("PROXY_POSTGRES is not a valid PostgreSQL connection string", error.Message, StringComparison.Ordinal);
    }
}
