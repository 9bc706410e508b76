using System.Buffers;
using System.Collections.Frozen;
using System.Text;

namespace Proxy.Actors.Streaming;

/// <summary>
/// Which Chinese characters text can open with twice in a row. Some double freely: the doubled
/// forms of the language (谢谢, 看看, 常常, 天天, 妈妈), verbs said twice to soften them (试试, 想想),
/// interjections and sounds (哈哈, 嗯嗯, 当当), assent and urging (是是, 对对, 来来). Others double
/// only inside a fixed four-character form (模模糊糊, 客客气气, 服服帖帖), so "模模" must go on with
/// "糊". A character in neither list ("这", "很", "流", "首") is not doubled in Chinese: a stream whose
/// opening character comes again at once is far likelier to be repeating its first snapshot than to
/// mean "这这". The lists lean wide on purpose: a character missing from them could cost a clean
/// stream its text, one too many only leaves a rare stutter as it came.
/// </summary>
internal static class HanReduplication
{
    private static readonly SearchValues<char> Free = SearchValues.Create(
        // Kinship, people and small things
        "爸妈哥姐弟妹爷奶姥舅叔婶伯姑公婆宝娃星猩蝈蛐狒乖毛太孙人"
        // Doubled adverbs, adjectives, measure words (常常, 刚刚, 渐渐, 大大, 好好, 满满, 个个, 代代, 每每)
        + "常刚渐天家处时事个样往仅明默悄偷轻静紧深久早多大小高远稍微略暗纷频连屡匆急缓徐隐白活生满足整统"
        + "通一区恰万千年月日夜岁代世步层节条句声点滴片丝缕重双对两三五六八九好慢快红绿黑蓝长短厚薄圆弯直"
        + "平安热冷凉香甜酸苦辣软硬松胖瘦亮暖乐浓淡光真堂每数种开打摇哭吵忙口花洋风和稳上"
        // Literary doubles that begin many set phrases (茫茫, 滔滔, 悠悠, 源源, 比比)
        + "寥茫滔津念蒸奄历彬楚栩井面欣心本斤侃姗翩亭芸碌孜絮喋落赫莽皑娓谆循惴悠脉泛草了滚熊冉袅依恋款盈"
        + "飘济岌耿夸振眈虎蠢息比格咄源绵彤"
        // Verbs said twice (看看, 试试, 想想, 聊聊, 说说)
        + "谢看试想听问走等谈聊找查学练写读改修洗尝猜动玩摸拍揉擦扫跑跳笑唱坐躺睡逛转瞧敲碰算量称理收放拿搬"
        + "翻弄搞帮管劝陪抱亲闻品挑选记背抄画描剪缝补煮烤晒泡吹刷梳冲叠搓捏按推拉挤扶靠歇停研讨商琢考思说来"
        // Interjections, assent, urging and sounds (哈哈, 嗯嗯, 是是是, 不不不, 叮叮当当)
        + "哈嘿呵嘻嗯哼啊哦噢喔唉嘘嗡隆呼咚叮当乒乓噼啪嘀嗒咕嘟喃嘤汪喵呱吱嘎哗沙叽唧哇呜啦嗷喳喂嗨是行不别");

    // Four-character forms whose first character doubles nowhere else (AABB, and a few AAB).
    private const string Forms =
        "模模糊糊 客客气气 服服帖帖 服服气气 干干净净 干干巴巴 清清楚楚 清清白白 清清爽爽 认认真真 仔仔细细 漂漂亮亮 "
        + "舒舒服服 简简单单 实实在在 老老实实 老老少少 规规矩矩 随随便便 马马虎虎 许许多多 方方面面 方方正正 子子孙孙 "
        + "祖祖辈辈 进进出出 前前后后 里里外外 左左右右 反反复复 断断续续 吞吞吐吐 躲躲藏藏 躲躲闪闪 蹦蹦跳跳 零零星星 "
        + "零零散散 零零碎碎 零零后 密密麻麻 结结巴巴 结结实实 鬼鬼祟祟 战战兢兢 形形色色 浩浩荡荡 轰轰烈烈 兢兢业业 "
        + "勤勤恳恳 磕磕绊绊 磕磕碰碰 坑坑洼洼 歪歪扭扭 歪歪斜斜 疙疙瘩瘩 沸沸扬扬 唠唠叨叨 稀稀拉拉 稀稀落落 男男女女 "
        + "朦朦胧胧 迷迷糊糊 迷迷瞪瞪 恍恍惚惚 晃晃悠悠 跌跌撞撞 拖拖拉拉 犹犹豫豫 支支吾吾 唯唯诺诺 原原本本 彻彻底底 "
        + "完完全全 的的确确 确确实实 普普通通 寻寻觅觅 影影绰绰 朝朝暮暮 郁郁葱葱 郁郁寡欢 郁郁不得志 熙熙攘攘 浑浑噩噩 "
        + "庸庸碌碌 慌慌张张 踏踏实实 恩恩爱爱";

    /// <summary>For each character that doubles only in <see cref="Forms"/>, the characters that may follow its double.</summary>
    private static readonly FrozenDictionary<char, string> FormsByFirst = Forms
        .Split(' ', StringSplitOptions.RemoveEmptyEntries)
        .GroupBy(form => form[0])
        .ToFrozenDictionary(g => g.Key, g => string.Concat(g.Select(form => form[2])));

    /// <summary>
    /// Whether text may open with <paramref name="rune"/> twice followed by <paramref name="next"/>
    /// (UTF-8; empty when not known yet).
    /// </summary>
    public static bool MayDouble(int rune, ReadOnlySpan<byte> next)
    {
        if (rune > char.MaxValue || Free.Contains((char)rune))
        {
            return true;
        }

        if (!FormsByFirst.TryGetValue((char)rune, out var followers))
        {
            return false;
        }

        if (next.IsEmpty)
        {
            return true;
        }

        Rune.DecodeFromUtf8(next, out var following, out _);
        return following.Value <= char.MaxValue && followers.Contains((char)following.Value, StringComparison.Ordinal);
    }
}
