namespace Proxy.Web.Requests;

/// <summary>Reads a whole request body into memory, refusing more than a limit.</summary>
internal static class RequestBodyReader
{
    /// <summary>The body, or null when it is larger than <paramref name="limit"/> bytes.</summary>
    public static async Task<ReadOnlyMemory<byte>?> ReadAsync(HttpRequest request, long limit, CancellationToken cancellationToken)
    {
        if (request.ContentLength is { } length)
        {
            if (length > limit)
            {
                return null;
            }

            // A body shorter than declared is returned as read; it then fails JSON validation (400).
            var exact = new byte[length];
            var read = await request.Body.ReadAtLeastAsync(exact, exact.Length, throwOnEndOfStream: false, cancellationToken);
            return exact.AsMemory(0, read);
        }

        var buffer = new byte[16 * 1024];
        var filled = 0;
        while (true)
        {
            if (filled == buffer.Length)
            {
                if (buffer.Length > limit)
                {
                    return null;
                }

                Array.Resize(ref buffer, (int)Math.Min(Math.Min((long)buffer.Length * 2, limit + 1), Array.MaxLength));
            }

            var read = await request.Body.ReadAsync(buffer.AsMemory(filled), cancellationToken);
            if (read == 0)
            {
                return filled > limit ? null : buffer.AsMemory(0, filled);
            }

            filled += read;
            if (filled > limit)
            {
                return null;
            }
        }
    }
}
