using System.Buffers;

namespace Proxy.Actors.Streaming;

/// <summary>A growable byte buffer on <see cref="ArrayPool{T}"/>; <see cref="Release"/> gives the array back.</summary>
internal sealed class PooledBuffer : IBufferWriter<byte>
{
    private byte[] _array = [];

    public int Length { get; private set; }

    public ReadOnlySpan<byte> WrittenSpan => _array.AsSpan(0, Length);

    /// <summary>Bytes currently rented (0 when released).</summary>
    public int Capacity => _array.Length;

    public ReadOnlySpan<byte> Slice(int start, int length) => _array.AsSpan(start, length);

    public void Append(ReadOnlySpan<byte> bytes)
    {
        bytes.CopyTo(GetSpan(bytes.Length));
        Length += bytes.Length;
    }

    /// <summary>Replaces the content with <paramref name="bytes"/>.</summary>
    public void Set(ReadOnlySpan<byte> bytes)
    {
        Length = 0;
        Append(bytes);
    }

    public void Clear() => Length = 0;

    public void Release()
    {
        Length = 0;
        if (_array.Length > 0)
        {
            ArrayPool<byte>.Shared.Return(_array);
            _array = [];
        }
    }

    public void Advance(int count)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(count);
        if (Length + count > _array.Length)
        {
            throw new InvalidOperationException("Advanced past the buffer.");
        }

        Length += count;
    }

    public Memory<byte> GetMemory(int sizeHint = 0)
    {
        Ensure(sizeHint);
        return _array.AsMemory(Length);
    }

    public Span<byte> GetSpan(int sizeHint = 0)
    {
        Ensure(sizeHint);
        return _array.AsSpan(Length);
    }

    private void Ensure(int sizeHint)
    {
        var needed = Length + Math.Max(sizeHint, 1);
        if (needed <= _array.Length)
        {
            return;
        }

        var bigger = ArrayPool<byte>.Shared.Rent(Math.Max(needed, Math.Max(256, _array.Length * 2)));
        _array.AsSpan(0, Length).CopyTo(bigger);
        if (_array.Length > 0)
        {
            ArrayPool<byte>.Shared.Return(_array);
        }

        _array = bigger;
    }
}
