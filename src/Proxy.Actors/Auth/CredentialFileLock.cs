using System.Security.Cryptography;
using System.Text;
using Microsoft.Extensions.Logging;

namespace Proxy.Actors.Auth;

/// <summary>
/// The Qwen Code CLI's refresh lock: <c>oauth_creds.lock</c> created exclusively and holding a random
/// id. Waiters retry <see cref="MaxAttempts"/> times with a backoff of 100 ms x1.5 up to 2 s; a lock
/// older than <see cref="StaleAfter"/> (by its file time) is abandoned and removed. Release deletes
/// the file only while it still holds our id.
/// </summary>
internal sealed class CredentialFileLock
{
    public const int MaxAttempts = 20;
    public const double BackoffMultiplier = 1.5;
    public static readonly TimeSpan InitialDelay = TimeSpan.FromMilliseconds(100);
    public static readonly TimeSpan MaxDelay = TimeSpan.FromSeconds(2);
    public static readonly TimeSpan StaleAfter = TimeSpan.FromSeconds(10);

    private readonly string _path;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;

    public CredentialFileLock(string path, TimeProvider time, ILogger logger)
    {
        _path = path;
        _time = time;
        _logger = logger;
    }

    public string Path => _path;

    /// <summary>Takes the lock or throws <see cref="CredentialLockTimeoutException"/> after the last retry.</summary>
    public async Task<Handle> AcquireAsync(CancellationToken cancellationToken)
    {
        var id = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(16));
        var delay = InitialDelay;
        for (var attempt = 1; attempt <= MaxAttempts; attempt++)
        {
            cancellationToken.ThrowIfCancellationRequested();
            if (TryCreate(id))
            {
                return new Handle(this, id);
            }

            if (TryRemoveStale())
            {
                continue;
            }

            if (attempt == MaxAttempts)
            {
                break;
            }

            AuthLog.LockBusy(_logger, _path, attempt, delay.TotalMilliseconds);
            await Task.Delay(delay, _time, cancellationToken).ConfigureAwait(false);
            delay = TimeSpan.FromTicks(Math.Min((long)(delay.Ticks * BackoffMultiplier), MaxDelay.Ticks));
        }

        AuthLog.LockTimedOut(_logger, _path, MaxAttempts);
        throw new CredentialLockTimeoutException($"The credential lock {_path} stayed taken through {MaxAttempts} attempts.");
    }

    private bool TryCreate(string id)
    {
        try
        {
            var options = new FileStreamOptions { Mode = FileMode.CreateNew, Access = FileAccess.Write, Share = FileShare.None };
            if (!OperatingSystem.IsWindows())
            {
                options.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
            }

            using var stream = new FileStream(_path, options);
            stream.Write(Encoding.UTF8.GetBytes(id));
            return true;
        }
        catch (IOException) when (File.Exists(_path))
        {
            return false;
        }
    }

    /// <summary>Removes a lock whose file time is older than <see cref="StaleAfter"/>; true when removed (or gone).</summary>
    private bool TryRemoveStale()
    {
        try
        {
            var info = new FileInfo(_path);
            if (!info.Exists)
            {
                return true;
            }

            var age = _time.GetUtcNow() - new DateTimeOffset(info.LastWriteTimeUtc, TimeSpan.Zero);
            if (age <= StaleAfter)
            {
                return false;
            }

            var holder = ReadHolder();
            var again = new FileInfo(_path);
            if (!again.Exists || again.LastWriteTimeUtc != info.LastWriteTimeUtc || ReadHolder() != holder)
            {
                return false;
            }

            File.Delete(_path);
            AuthLog.StaleLockRemoved(_logger, _path, age.TotalSeconds);
            return true;
        }
        catch (IOException)
        {
            return false;
        }
        catch (UnauthorizedAccessException)
        {
            return false;
        }
    }

    private string? ReadHolder()
    {
        try
        {
            return File.ReadAllText(_path);
        }
        catch (FileNotFoundException)
        {
            return null;
        }
    }

    private void Release(string id)
    {
        try
        {
            if (ReadHolder() == id)
            {
                File.Delete(_path);
            }
            else
            {
                AuthLog.LockLostBeforeRelease(_logger, _path);
            }
        }
        catch (IOException ex)
        {
            AuthLog.LockReleaseFailed(_logger, _path, ex.Message);
        }
        catch (UnauthorizedAccessException ex)
        {
            AuthLog.LockReleaseFailed(_logger, _path, ex.Message);
        }
    }

    /// <summary>A held lock; disposing it releases the lock.</summary>
    public sealed class Handle : IDisposable
    {
        private readonly CredentialFileLock _owner;
        private int _released;

        internal Handle(CredentialFileLock owner, string id)
        {
            _owner = owner;
            Id = id;
        }

        public string Id { get; }

        public void Dispose()
        {
            if (Interlocked.Exchange(ref _released, 1) == 0)
            {
                _owner.Release(Id);
            }
        }
    }
}
