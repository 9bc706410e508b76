namespace Proxy.Web.Requests;

/// <summary>Why a request body was refused: answered as 400 <c>invalid_request_error</c>.</summary>
/// <param name="Message">A clear message for the client.</param>
/// <param name="Param">The offending field, when there is one.</param>
internal sealed record RequestError(string Message, string? Param = null)
{
    public const string Code = "invalid_request";

    public IResult ToResult() =>
        Errors.OpenAiError.Result(StatusCodes.Status400BadRequest, Errors.ErrorTypes.InvalidRequest, Message, Code, Param);
}
