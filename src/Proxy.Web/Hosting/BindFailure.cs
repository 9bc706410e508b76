using System.Net.Sockets;
using Microsoft.AspNetCore.Connections;

namespace Proxy.Web.Hosting;

/// <summary>
/// Kestrel's failure to listen (a busy port, a port the user may not bind, an address this machine
/// does not have) told as one line naming the address, like any bad setting: a person can act on
/// it, and a stack trace adds nothing. The host's own "failed to start" log of the same exception
/// is left out for the same reason (<see cref="IsBindFailure"/>).
/// </summary>
internal static class BindFailure
{
    /// <summary>True when <paramref name="exception"/> is Kestrel failing to bind its listening socket.</summary>
    public static bool IsBindFailure(Exception? exception) => Reason(exception) is not null;

    /// <summary>The one line for a bind failure on <paramref name="host"/>:<paramref name="port"/>, or null for any other exception.</summary>
    public static string? Describe(Exception exception, string host, int port)
    {
        var reason = Reason(exception);
        if (reason is null)
        {
            return null;
        }

        var address = host.Contains(':', StringComparison.Ordinal) ? $"[{host}]:{port}" : $"{host}:{port}";
        return $"Cannot listen on {address} (SERVER_HOST, SERVER_PORT): {reason}.";
    }

    private static string? Reason(Exception? exception)
    {
        for (var e = exception; e is not null; e = e.InnerException)
        {
            switch (e)
            {
                case AddressInUseException:
                    return "the address is already in use; stop what holds it or choose another SERVER_PORT";
                case SocketException { SocketErrorCode: SocketError.AccessDenied }:
                    return "permission denied; ports below 1024 need privileges, choose another SERVER_PORT";
                case SocketException { SocketErrorCode: SocketError.AddressNotAvailable }:
                    return "this machine has no such address; choose another SERVER_HOST";
                case SocketException socket when exception is IOException:
                    return socket.Message;
            }
        }

        return null;
    }
}
