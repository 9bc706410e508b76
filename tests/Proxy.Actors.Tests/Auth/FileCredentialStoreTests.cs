using System.Text;
using System.Text.Json;
using Proxy.Actors.Auth;

using Proxy.TestKit;

namespace Proxy.Actors.Tests.Auth;

public sealed class FileCredentialStoreTests : IDisposable
{
    private readonly TempQwenDir _dir = new();
    private readonly CapturingLoggerProvider _logs = new();

    public void Dispose() => _dir.Dispose();

    [Fact]
    public async Task Missing_file_loads_as_no_credential()
    {
        Assert.Null(await CreateStore().LoadAsync(CancellationToken.None));
    }

    [Fact]
    public async Task Saved_credential_loads_back_with_expiry_in_epoch_milliseconds()
    {
        var credentials = Credentials("access-A", "refresh-A", 1_767_225_600_123);
        await CreateStore().SaveAsync(credentials, CancellationToken.None);

        using var document = JsonDocument.Parse(await File.ReadAllBytesAsync(_dir.CredentialFile));
        Assert.Equal(1_767_225_600_123, document.RootElement.GetProperty("expiry_date").GetInt64());
        Assert.Equal(credentials, await CreateStore().LoadAsync(CancellationToken.None));
    }

    [Fact]
    public async Task File_is_written_with_mode_0600_in_a_folder_with_mode_0700()
    {
        if (OperatingSystem.IsWindows())
        {
            return; // Unix file modes only.
        }

        await CreateStore().SaveAsync(Credentials("access-A", "refresh-A"), CancellationToken.None);

        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(_dir.CredentialFile));
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute, File.GetUnixFileMode(_dir.Folder));
    }

    [Fact]
    public async Task Save_leaves_no_temp_file_behind()
    {
        var store = CreateStore();
        await store.SaveAsync(Credentials("access-A", "refresh-A"), CancellationToken.None);
        await store.SaveAsync(Credentials("access-B", "refresh-B"), CancellationToken.None);

        Assert.Equal(new[] { "oauth_creds.json" }, Directory.GetFiles(_dir.Folder).Select(Path.GetFileName).ToArray());
    }

    [Fact]
    public async Task Crash_between_temp_write_and_rename_leaves_the_old_credential_readable()
    {
        var old = Credentials("access-A", "refresh-A");
        await CreateStore().SaveAsync(old, CancellationToken.None);

        // The writer died after writing (part of) its temp file and before the rename.
        var partial = CredentialFileFormat.Serialize(Credentials("access-B", "refresh-B"));
        await File.WriteAllBytesAsync(Path.Combine(_dir.Folder, "oauth_creds.json.tmp-0123456789abcdef"), partial[..(partial.Length / 2)]);

        Assert.Equal(old, await CreateStore().LoadAsync(CancellationToken.None));
    }

    [Fact]
    public async Task A_rewrite_keeps_every_field_the_cli_wrote_in_place_and_stays_0600()
    {
        Directory.CreateDirectory(_dir.Folder);
        await File.WriteAllTextAsync(_dir.CredentialFile, """
            {
              "access_token": "cli-access",
              "id_token": "cli-id-token",
              "refresh_token": "cli-refresh",
              "token_type": "Bearer",
              "resource_url": "portal.qwen.ai",
              "expiry_date": 1767225600000,
              "x_future": {"nested": [1, 2.50, null], "flag": true}
            }
            """);

        await CreateStore().SaveAsync(new QwenCredentials("access-B", "refresh-B", "Bearer", "portal.qwen.ai", DateTimeOffset.FromUnixTimeMilliseconds(1_767_229_200_000)), CancellationToken.None);

        Assert.Equal(
            """
            {
              "access_token": "access-B",
              "id_token": "cli-id-token",
              "refresh_token": "refresh-B",
              "token_type": "Bearer",
              "resource_url": "portal.qwen.ai",
              "expiry_date": 1767229200000,
              "x_future": {
                "nested": [
                  1,
                  2.50,
                  null
                ],
                "flag": true
              }
            }
            """.ReplaceLineEndings("\n"),
            (await File.ReadAllTextAsync(_dir.CredentialFile)).ReplaceLineEndings("\n"));
        Assert.Equal(new[] { "oauth_creds.json" }, Directory.GetFiles(_dir.Folder).Select(Path.GetFileName).ToArray());
        if (!OperatingSystem.IsWindows())
        {
            Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(_dir.CredentialFile));
        }
    }

    [Fact]
    public async Task Change_by_another_process_is_picked_up_on_the_next_load()
    {
        var mine = CreateStore();
        await mine.SaveAsync(Credentials("access-A", "refresh-A"), CancellationToken.None);
        Assert.Equal("access-A", (await mine.LoadAsync(CancellationToken.None))!.AccessToken);

        await CreateStore().SaveAsync(Credentials("access-B", "refresh-B"), CancellationToken.None);

        Assert.Equal("access-B", (await mine.LoadAsync(CancellationToken.None))!.AccessToken);
    }

    [Fact]
    public async Task Unchanged_file_is_not_read_again()
    {
        var store = CreateStore();
        await store.SaveAsync(Credentials("access-A", "refresh-A"), CancellationToken.None);
        var first = await store.LoadAsync(CancellationToken.None);

        var second = await store.LoadAsync(CancellationToken.None);

        Assert.Same(first, second);
    }

    [Fact]
    public async Task Unusable_file_loads_as_no_credential_and_is_logged_without_its_content()
    {
        Directory.CreateDirectory(_dir.Folder);
        await File.WriteAllTextAsync(_dir.CredentialFile, "{\"refresh_token\":\"refresh-secret-in-broken-file\"");

        Assert.Null(await CreateStore().LoadAsync(CancellationToken.None));
        Assert.Contains("is not a usable credential", _logs.AllText);
        Assert.DoesNotContain("refresh-secret-in-broken-file", _logs.AllText);
    }

    [Fact]
    public async Task Deleted_file_loads_as_no_credential()
    {
        var store = CreateStore();
        await store.SaveAsync(Credentials("access-A", "refresh-A"), CancellationToken.None);
        File.Delete(_dir.CredentialFile);

        Assert.Null(await store.LoadAsync(CancellationToken.None));
    }

    [Fact]
    public async Task Save_logs_only_the_token_hint()
    {
        await CreateStore().SaveAsync(Credentials("access-secret-7890", "refresh-secret-4444"), CancellationToken.None);

        Assert.Contains("…7890", _logs.AllText);
        Assert.DoesNotContain("access-secret", _logs.AllText);
        Assert.DoesNotContain("refresh-secret", _logs.AllText);
    }

    private FileCredentialStore CreateStore() =>
        new(_dir.Folder, TimeProvider.System, _logs.CreateLogger<FileCredentialStore>());

    private static QwenCredentials Credentials(string access, string refresh, long expiryMs = 1_767_225_600_000) =>
        new(access, refresh, "Bearer", "portal.qwen.ai", DateTimeOffset.FromUnixTimeMilliseconds(expiryMs));
}
