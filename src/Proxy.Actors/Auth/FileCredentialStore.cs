using Microsoft.Extensions.Logging;

namespace Proxy.Actors.Auth;

/// <summary>
/// The Qwen Code CLI's credential file: <c>QWEN_DIR/oauth_creds.json</c>, written atomically (temp
/// file in the same folder, then rename) with mode 0600 in a 0700 folder, keeping every field of the
/// file it does not own (<see cref="CredentialFileFormat.Serialize"/>), guarded for refreshes by
/// the CLI's lock protocol (<see cref="CredentialFileLock"/>). Reads are cached and repeated only
/// when the file's time or size changed.
/// </summary>
internal sealed class FileCredentialStore : ICredentialStore
{
    private const UnixFileMode FileMode0600 = UnixFileMode.UserRead | UnixFileMode.UserWrite;
    private const UnixFileMode FolderMode0700 = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute;

    private readonly string _folder;
    private readonly ILogger _logger;
    private readonly CredentialFileLock _lock;
    private volatile Cached? _cached;

    public FileCredentialStore(string qwenDir, TimeProvider time, ILogger<FileCredentialStore> logger)
    {
        _folder = System.IO.Path.GetFullPath(qwenDir);
        _logger = logger;
        Path = System.IO.Path.Combine(_folder, QwenAuthOptions.CredentialFileName);
        _lock = new CredentialFileLock(System.IO.Path.Combine(_folder, QwenAuthOptions.LockFileName), time, logger);
    }

    public string Path { get; }

    public string LockPath => _lock.Path;

    public string Location => Path;

    public async ValueTask<QwenCredentials?> LoadAsync(CancellationToken cancellationToken)
    {
        var info = new FileInfo(Path);
        if (!info.Exists)
        {
            _cached = null;
            return null;
        }

        var stamp = new Stamp(info.LastWriteTimeUtc.Ticks, info.Length);
        var cached = _cached;
        if (cached is not null && cached.Stamp == stamp)
        {
            return cached.Credentials;
        }

        byte[] bytes;
        try
        {
            bytes = await File.ReadAllBytesAsync(Path, cancellationToken).ConfigureAwait(false);
        }
        catch (FileNotFoundException)
        {
            _cached = null;
            return null;
        }

        var credentials = CredentialFileFormat.Parse(bytes);
        if (credentials is null)
        {
            AuthLog.CredentialFileUnreadable(_logger, Path);
        }

        _cached = new Cached(stamp, credentials);
        return credentials;
    }

    public async ValueTask SaveAsync(QwenCredentials credentials, CancellationToken cancellationToken)
    {
        EnsureFolder();
        var bytes = CredentialFileFormat.Serialize(credentials, await ReadCurrentAsync(cancellationToken).ConfigureAwait(false));
        var temp = System.IO.Path.Combine(_folder, $"{QwenAuthOptions.CredentialFileName}.tmp-{Guid.NewGuid():N}");
        try
        {
            var options = new FileStreamOptions { Mode = FileMode.CreateNew, Access = FileAccess.Write, Share = FileShare.None };
            if (!OperatingSystem.IsWindows())
            {
                options.UnixCreateMode = FileMode0600;
            }

            var stream = new FileStream(temp, options);
            await using (stream.ConfigureAwait(false))
            {
                await stream.WriteAsync(bytes, cancellationToken).ConfigureAwait(false);
                stream.Flush(flushToDisk: true);
            }

            if (!OperatingSystem.IsWindows())
            {
                File.SetUnixFileMode(temp, FileMode0600);
            }

            File.Move(temp, Path, overwrite: true);
        }
        catch
        {
            TryDelete(temp);
            throw;
        }

        var info = new FileInfo(Path);
        _cached = new Cached(new Stamp(info.LastWriteTimeUtc.Ticks, info.Length), credentials);
        AuthLog.CredentialSaved(_logger, Path, credentials.AccessTokenHint, credentials.ExpiresAt);
    }

    public async Task<T> RunUnderRefreshLockAsync<T>(Func<CancellationToken, Task<T>> action, CancellationToken cancellationToken)
    {
        EnsureFolder();
        using var handle = await _lock.AcquireAsync(cancellationToken).ConfigureAwait(false);
        return await action(cancellationToken).ConfigureAwait(false);
    }

    /// <summary>The file as it is now, so a rewrite keeps the fields the proxy does not own; empty when there is none.</summary>
    private async Task<byte[]> ReadCurrentAsync(CancellationToken cancellationToken)
    {
        try
        {
            return await File.ReadAllBytesAsync(Path, cancellationToken).ConfigureAwait(false);
        }
        catch (FileNotFoundException)
        {
            return [];
        }
    }

    private void EnsureFolder()
    {
        if (Directory.Exists(_folder))
        {
            return;
        }

        if (OperatingSystem.IsWindows())
        {
            Directory.CreateDirectory(_folder);
        }
        else
        {
            Directory.CreateDirectory(_folder, FolderMode0700);
        }
    }

    private static void TryDelete(string path)
    {
        try
        {
            File.Delete(path);
        }
        catch (IOException)
        {
        }
        catch (UnauthorizedAccessException)
        {
        }
    }

    private readonly record struct Stamp(long WriteTicks, long Length);

    private sealed record Cached(Stamp Stamp, QwenCredentials? Credentials);
}
