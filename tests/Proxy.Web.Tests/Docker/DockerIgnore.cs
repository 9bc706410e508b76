using System.Text;
using System.Text.RegularExpressions;

namespace Proxy.Web.Tests.Docker;

/// <summary>
/// The rules of a <c>.dockerignore</c> as Docker applies them: each pattern is matched against the
/// path relative to the context root (<c>*</c> within one segment, <c>?</c> one character, <c>**</c>
/// any number of segments), a matched folder takes everything under it, <c>!</c> re-includes,
/// and the last matching pattern decides.
/// </summary>
internal sealed class DockerIgnore
{
    private readonly List<(Regex Pattern, bool Exclude)> _rules = [];

    public DockerIgnore(string text)
    {
        foreach (var raw in text.Split('\n'))
        {
            var line = raw.Trim();
            if (line.Length == 0 || line.StartsWith('#'))
            {
                continue;
            }

            var exclude = !line.StartsWith('!');
            var pattern = (exclude ? line : line[1..]).Trim().Trim('/');
            _rules.Add((ToRegex(pattern), exclude));
        }
    }

    /// <summary>True when <paramref name="relativePath"/> (with <c>/</c>) is sent to the daemon.</summary>
    public bool Includes(string relativePath)
    {
        var excluded = false;
        foreach (var (pattern, exclude) in _rules)
        {
            if (MatchesItselfOrAParent(pattern, relativePath))
            {
                excluded = exclude;
            }
        }

        return !excluded;
    }

    private static bool MatchesItselfOrAParent(Regex pattern, string path)
    {
        for (var end = path.Length; end > 0; end = path.LastIndexOf('/', end - 1))
        {
            if (pattern.IsMatch(path[..end]))
            {
                return true;
            }
        }

        return false;
    }

    private static Regex ToRegex(string pattern)
    {
        var regex = new StringBuilder("^");
        for (var i = 0; i < pattern.Length; i++)
        {
            var c = pattern[i];
            if (c == '*' && i + 1 < pattern.Length && pattern[i + 1] == '*')
            {
                var slashFollows = i + 2 < pattern.Length && pattern[i + 2] == '/';
                regex.Append(slashFollows ? "(.*/)?" : ".*");
                i += slashFollows ? 2 : 1;
            }
            else if (c == '*')
            {
                regex.Append("[^/]*");
            }
            else if (c == '?')
            {
                regex.Append("[^/]");
            }
            else
            {
                regex.Append(Regex.Escape(c.ToString()));
            }
        }

        return new Regex(regex.Append('$').ToString(), RegexOptions.CultureInvariant);
    }
}
