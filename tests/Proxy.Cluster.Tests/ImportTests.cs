using Proxy.Actors.Auth;
using Proxy.Cluster.Tests.Support;
using static Proxy.Cluster.Tests.Support.Refresher;

namespace Proxy.Cluster.Tests;

public sealed class ImportTests : IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("qwen-cluster-").FullName;

    private string CredentialFile => Path.Combine(_folder, "oauth_creds.json");

    [Fact]
    public async Task Empty_table_imports_the_credential_file_once_even_with_instances_starting_together()
    {
        var file = Valid("access-file", "refresh-file");
        await File.WriteAllBytesAsync(CredentialFile, CredentialFileFormat.Serialize(file));
        await using var db = await TestDatabase.CreateAsync();
        await using var a = ClusterInstance.Create(db.ConnectionString, "a", CredentialFile);
        await using var b = ClusterInstance.Create(db.ConnectionString, "b", CredentialFile);

        await Task.WhenAll(a.StartAsync(), b.StartAsync());

        Assert.Equal(1L, await db.ScalarAsync<long>("SELECT count(*) FROM proxy_credentials"));
        Assert.Equal(1L, await db.ScalarAsync<long>("SELECT version FROM proxy_credentials"));
        Assert.StartsWith("import ", await db.ScalarAsync<string>("SELECT updated_by FROM proxy_credentials"), StringComparison.Ordinal);
        Assert.Equal(file, await a.Credentials.LoadAsync(CancellationToken.None));
        Assert.Equal(file, await b.Credentials.LoadAsync(CancellationToken.None));

        // A later start with a different file changes nothing: the table is no longer empty.
        await File.WriteAllBytesAsync(CredentialFile, CredentialFileFormat.Serialize(Valid("access-newer-file", "refresh-newer-file")));
        await using var c = ClusterInstance.Create(db.ConnectionString, "c", CredentialFile);
        await c.StartAsync();
        Assert.Equal(1L, await db.ScalarAsync<long>("SELECT version FROM proxy_credentials"));
        Assert.Equal(file, await c.Credentials.LoadAsync(CancellationToken.None));
    }

    [Fact]
    public async Task Table_with_a_credential_ignores_the_file()
    {
        await File.WriteAllBytesAsync(CredentialFile, CredentialFileFormat.Serialize(Valid("access-file", "refresh-file")));
        await using var db = await TestDatabase.CreateAsync();
        await using var a = await ClusterInstance.StartAsync(db, "a");
        var login = Valid("access-login", "refresh-login");
        await a.Credentials.SaveAsync(login, CancellationToken.None);

        await using var b = await ClusterInstance.StartAsync(db, "b", CredentialFile);

        Assert.Equal(login, await b.Credentials.LoadAsync(CancellationToken.None));
        Assert.Equal(1L, await db.ScalarAsync<long>("SELECT version FROM proxy_credentials"));
    }

    [Fact]
    public async Task Unusable_or_missing_file_imports_nothing()
    {
        await File.WriteAllTextAsync(CredentialFile, "{\"refresh_token\":\"no access token\"}");
        await using var db = await TestDatabase.CreateAsync();
        await using var a = await ClusterInstance.StartAsync(db, "a", CredentialFile);
        await using var b = await ClusterInstance.StartAsync(db, "b", Path.Combine(_folder, "missing.json"));

        Assert.Null(await a.Credentials.LoadAsync(CancellationToken.None));
        Assert.Null(await b.Credentials.LoadAsync(CancellationToken.None));
        Assert.Equal(0L, await db.ScalarAsync<long>("SELECT count(*) FROM proxy_credentials"));
    }

    public void Dispose() => Directory.Delete(_folder, recursive: true);
}
