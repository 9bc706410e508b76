using ZstdSharp;

namespace Proxy.Web.Security;

/// <summary>
/// A request body after its <c>Content-Encoding</c> is undone, read-only and forward-only. The body
/// limit counts decoded bytes, so a small archive that inflates past MAX_REQUEST_BODY_BYTES is a 413
/// however it is read; data that is not in the named encoding is a 400 naming it, never a 500.
/// </summary>
internal sealed class DecodedBodyStream(Stream decoded, string encoding, long limit) : Stream
{
    private long _read;

    public override bool CanRead => true;

    public override bool CanSeek => false;

    public override bool CanWrite => false;

    public override long Length => throw new NotSupportedException();

    public override long Position
    {
        get => _read;
        set => throw new NotSupportedException();
    }

    public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

    public override int Read(Span<byte> buffer)
    {
        int read;
        try
        {
            read = decoded.Read(buffer);
        }
        catch (Exception ex) when (IsBadData(ex))
        {
            throw BadData(ex);
        }

        return Count(read);
    }

    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        int read;
        try
        {
            read = await decoded.ReadAsync(buffer, cancellationToken);
        }
        catch (Exception ex) when (IsBadData(ex))
        {
            throw BadData(ex);
        }

        return Count(read);
    }

    public override void Flush()
    {
    }

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

    public override void SetLength(long value) => throw new NotSupportedException();

    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            decoded.Dispose();
        }

        base.Dispose(disposing);
    }

    private int Count(int read)
    {
        _read += read;
        if (_read > limit)
        {
            throw new BadHttpRequestException(
                $"The request body decoded from {encoding} is larger than the limit of {limit} bytes.", StatusCodes.Status413PayloadTooLarge);
        }

        return read;
    }

    private static bool IsBadData(Exception ex) => ex is InvalidDataException or ZstdException;

    private BadHttpRequestException BadData(Exception ex) =>
        new($"The request body is not valid {encoding} data (Content-Encoding: {encoding}).", StatusCodes.Status400BadRequest, ex);
}
