using Proxy.Actors.Auth;

using Proxy.TestKit;

namespace Proxy.Actors.Tests.Auth;

public sealed class CredentialFileLockTests : IDisposable
{
    // 100 ms x1.5 up to 2 s, as whole milliseconds (timers run at millisecond resolution).
    private static readonly double[] ExpectedBackoffMs =
        [100, 150, 225, 337, 506, 759, 1139, 1708, 2000, 2000, 2000, 2000, 2000, 2000, 2000, 2000, 2000, 2000, 2000];

    private readonly TempQwenDir _dir = new();
    private readonly CapturingLoggerProvider _logs = new();

    // Lock ages are judged against file times, so virtual time starts at the real wall clock.
    private readonly SteppingTimeProvider _clock = new(DateTimeOffset.UtcNow);

    public void Dispose() => _dir.Dispose();

    [Fact]
    public async Task Free_lock_is_taken_at_once_holds_our_id_and_is_removed_afterwards()
    {
        var store = CreateStore();
        string? holder = null;

        var result = await store.RunUnderRefreshLockAsync(
            _ =>
            {
                holder = File.ReadAllText(_dir.LockFile);
                return Task.FromResult(42);
            },
            CancellationToken.None);

        Assert.Equal(42, result);
        Assert.Matches("^[0-9a-f]{32}$", holder);
        Assert.False(File.Exists(_dir.LockFile));
    }

    [Fact]
    public async Task Lock_held_by_the_cli_makes_us_wait_with_growing_backoff_until_it_is_released()
    {
        WriteForeignLock(age: TimeSpan.Zero);
        var entered = false;

        var run = CreateStore().RunUnderRefreshLockAsync(
            _ =>
            {
                entered = true;
                Assert.NotEqual("cli-lock-id", File.ReadAllText(_dir.LockFile));
                return Task.FromResult(true);
            },
            CancellationToken.None);

        Assert.Equal(TimeSpan.FromMilliseconds(100), await _clock.NextWaitAsync());
        _clock.Advance(TimeSpan.FromMilliseconds(100));
        Assert.Equal(TimeSpan.FromMilliseconds(150), await _clock.NextWaitAsync());
        Assert.False(entered);
        Assert.Equal("cli-lock-id", File.ReadAllText(_dir.LockFile));

        File.Delete(_dir.LockFile); // the CLI finished its refresh
        _clock.Advance(TimeSpan.FromMilliseconds(150));

        Assert.True(await run.WaitAsync(TimeSpan.FromSeconds(10)));
        Assert.True(entered);
        Assert.False(File.Exists(_dir.LockFile));
    }

    [Fact]
    public async Task Lock_older_than_ten_seconds_is_stale_and_removed()
    {
        WriteForeignLock(age: TimeSpan.FromSeconds(11));

        var entered = await CreateStore().RunUnderRefreshLockAsync(_ => Task.FromResult(true), CancellationToken.None);

        Assert.True(entered);
        Assert.False(File.Exists(_dir.LockFile));
        Assert.Contains("Removed stale credential lock", _logs.AllText);
    }

    [Fact]
    public async Task Lock_ten_seconds_old_is_not_yet_stale()
    {
        WriteForeignLock(age: TimeSpan.FromSeconds(9));

        var run = CreateStore().RunUnderRefreshLockAsync(_ => Task.FromResult(true), CancellationToken.None);

        Assert.Equal(TimeSpan.FromMilliseconds(100), await _clock.NextWaitAsync());
        Assert.False(run.IsCompleted);
        Assert.Equal("cli-lock-id", File.ReadAllText(_dir.LockFile));

        // Time passes while the holder is stuck: once the lock is over ten seconds old it is taken over.
        _clock.Advance(TimeSpan.FromMilliseconds(100));
        Assert.Equal(TimeSpan.FromMilliseconds(150), await _clock.NextWaitAsync());
        _clock.Advance(TimeSpan.FromSeconds(2));

        Assert.True(await run.WaitAsync(TimeSpan.FromSeconds(10)));
        Assert.False(File.Exists(_dir.LockFile));
    }

    [Fact]
    public async Task Lock_that_stays_held_gives_up_after_twenty_attempts()
    {
        WriteForeignLock(age: TimeSpan.Zero);
        var entered = false;

        var run = CreateStore().RunUnderRefreshLockAsync(
            _ =>
            {
                entered = true;
                return Task.FromResult(true);
            },
            CancellationToken.None);

        var waits = new List<double>();
        while (waits.Count < ExpectedBackoffMs.Length)
        {
            var wait = await _clock.NextWaitAsync();
            waits.Add(wait.TotalMilliseconds);

            // The holder is alive: its lock never gets older than a moment.
            File.SetLastWriteTimeUtc(_dir.LockFile, (_clock.GetUtcNow() + wait).UtcDateTime);
            _clock.Advance(wait);
        }

        await Assert.ThrowsAsync<CredentialLockTimeoutException>(() => run.WaitAsync(TimeSpan.FromSeconds(10)));
        Assert.Equal(ExpectedBackoffMs, waits.ToArray());
        Assert.False(entered);
        Assert.Equal("cli-lock-id", File.ReadAllText(_dir.LockFile));
    }

    [Fact]
    public async Task Release_leaves_a_lock_that_someone_else_took_over()
    {
        await CreateStore().RunUnderRefreshLockAsync(
            _ =>
            {
                File.WriteAllText(_dir.LockFile, "someone-else");
                return Task.FromResult(true);
            },
            CancellationToken.None);

        Assert.Equal("someone-else", File.ReadAllText(_dir.LockFile));
    }

    [Fact]
    public async Task Lock_is_released_when_the_action_throws()
    {
        await Assert.ThrowsAsync<InvalidOperationException>(() => CreateStore().RunUnderRefreshLockAsync<bool>(
            _ => throw new InvalidOperationException("refresh blew up"),
            CancellationToken.None));

        Assert.False(File.Exists(_dir.LockFile));
    }

    [Fact]
    public async Task Two_stores_in_one_folder_never_hold_the_lock_together()
    {
        var inside = 0;
        var maxInside = 0;
        var real = TimeProvider.System;
        var first = new FileCredentialStore(_dir.Folder, real, _logs.CreateLogger<FileCredentialStore>());
        var second = new FileCredentialStore(_dir.Folder, real, _logs.CreateLogger<FileCredentialStore>());
        var firstEntered = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var releaseFirst = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);

        var one = first.RunUnderRefreshLockAsync(
            async _ =>
            {
                maxInside = Math.Max(maxInside, Interlocked.Increment(ref inside));
                firstEntered.SetResult();
                await releaseFirst.Task;
                Interlocked.Decrement(ref inside);
                return 1;
            },
            CancellationToken.None);
        await firstEntered.Task.WaitAsync(TimeSpan.FromSeconds(10));
        var two = second.RunUnderRefreshLockAsync(
            _ =>
            {
                maxInside = Math.Max(maxInside, Interlocked.Increment(ref inside));
                Interlocked.Decrement(ref inside);
                return Task.FromResult(2);
            },
            CancellationToken.None);

        Assert.False(two.IsCompleted);
        releaseFirst.SetResult();

        Assert.Equal(new[] { 1, 2 }, await Task.WhenAll(one, two).WaitAsync(TimeSpan.FromSeconds(10)));
        Assert.Equal(1, maxInside);
    }

    private FileCredentialStore CreateStore() =>
        new(_dir.Folder, _clock, _logs.CreateLogger<FileCredentialStore>());

    private void WriteForeignLock(TimeSpan age)
    {
        Directory.CreateDirectory(_dir.Folder);
        File.WriteAllText(_dir.LockFile, "cli-lock-id");
        File.SetLastWriteTimeUtc(_dir.LockFile, (_clock.GetUtcNow() - age).UtcDateTime);
    }
}
