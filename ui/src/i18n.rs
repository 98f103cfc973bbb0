//! UI text in English and 简体中文. Strings are written in English in the components and
//! looked up here; a missing translation shows the English.

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Lang {
    En,
    Zh,
}

/// The language for a setting (`auto`, `en`, `zh`) and the system's language tag.
pub fn resolve(setting: &str, system: &str) -> Lang {
    match setting {
        "en" => Lang::En,
        "zh" => Lang::Zh,
        _ if system.to_ascii_lowercase().starts_with("zh") => Lang::Zh,
        _ => Lang::En,
    }
}

/// The system (webview) language, e.g. `zh-CN`.
pub fn system_language() -> String {
    #[cfg(target_arch = "wasm32")]
    {
        web_sys::window().and_then(|w| w.navigator().language()).unwrap_or_default()
    }
    #[cfg(not(target_arch = "wasm32"))]
    {
        String::new()
    }
}

const ZH: &[(&str, &str)] = &[
    ("Your archive could not be opened:", "存档无法打开："),
    (
        "Nothing in it was changed. This window shows a temporary archive: what you do here is not kept.",
        "其中的内容没有被改动。此窗口显示的是一个临时存档：在这里所做的操作不会保留。",
    ),
    ("Start a new archive (Broadsheet restarts)", "新建存档（Broadsheet 将重新启动）"),
    ("or open another one in Settings → Your archive.", "或在“设置 → 我的存档”中打开另一个。"),
    ("All articles", "全部文章"),
    ("Unread", "未读"),
    ("Bookmarked", "收藏"),
    ("Your tags", "我的标签"),
    ("Sources", "来源"),
    ("Categories", "分类"),
    ("Site tags", "网站标签"),
    ("By name", "按名称"),
    ("By count", "按数量"),
    ("Filter categories and tags", "筛选分类和标签"),
    ("Add a feed, site, git URL or folder", "添加订阅源、网站、git 地址或文件夹"),
    ("Folder…", "文件夹…"),
    ("Sync now", "立即同步"),
    ("Cancel", "取消"),
    ("Search (press /)", "搜索（按 /）"),
    ("Mark all read", "全部标为已读"),
    ("articles in this view", "本视图中的文章数"),
    ("Articles", "文章"),
    ("more: type to filter", "个未显示：输入以筛选"),
    ("Loading the list", "载入列表"),
    ("Marking the article read", "标为已读"),
    ("Opening the article", "打开文章"),
    ("Loading the categories", "载入分类"),
    ("Loading the sources", "载入来源"),
    ("Starting a sync", "开始同步"),
    ("Removing the source", "移除来源"),
    ("Loading more of the list", "载入更多"),
    ("Setting the sync interval", "设置同步间隔"),
    ("Changing the site's addresses", "修改站点地址"),
    ("Also at", "其他地址"),
    ("Links to these addresses open here, like links to the site itself.", "指向这些地址的链接与本站链接一样在应用内打开。"),
    ("Another address of this site (a former domain)", "本站的其他地址（如旧域名）"),
    ("Add address", "添加地址"),
    ("Forget", "移除"),
    ("Opening the link", "打开链接"),
    ("Bookmarking", "收藏"),
    ("Marking read or unread", "标为已读或未读"),
    ("Marking the view read", "全部标为已读"),
    ("Cancelling the sync", "取消同步"),
    ("Saving the tags", "保存标签"),
    ("Renaming the tag", "重命名标签"),
    ("Deleting the tag", "删除标签"),
    ("Saving the settings", "保存设置"),
    ("Dismiss", "关闭"),
    ("Most relevant first, or newest first", "按相关度或按时间排序"),
    ("Newest first", "最新在前"),
    ("Most relevant", "最相关"),
    ("Mark every article in this view read", "将本视图中的文章全部标为已读"),
    ("Search the archive", "搜索文库"),
    ("Add a tag", "添加标签"),
    ("Article actions", "文章操作"),
    ("Bookmark (b)", "收藏（b）"),
    ("Larger text", "放大文字"),
    ("Read / unread (m)", "已读／未读（m）"),
    ("Reader", "阅读区"),
    ("Smaller text", "缩小文字"),
    ("Theme: system, light, dark", "主题：跟随系统、浅色、深色"),
    ("articles", "篇文章"),
    ("Library", "文库"),
    ("Sort by name or by number of posts", "按名称或文章数排序"),
    ("Rename", "重命名"),
    ("Delete", "删除"),
    ("New name (an existing tag's name merges them)", "新名称（与已有标签同名则合并）"),
    ("OK", "确定"),
    ("Add source", "添加来源"),
    ("Feed, site or git URL, or a folder path", "订阅源、网站或 git 地址，或文件夹路径"),
    ("Last sync", "上次同步"),
    ("Last sync, some files not imported", "上次同步，部分文件未导入"),
    ("Built into Broadsheet", "Broadsheet 自带"),
    ("Manage", "管理"),
    ("Manage source", "管理来源"),
    ("Remove “{}”? Bookmarked and tagged posts always stay.", "移除“{}”？收藏和加了标签的文章会保留。"),
    (
        "Nothing here. Add a source, choose another view, or clear the search.",
        "这里还没有内容。添加来源、换个视图，或清除搜索。",
    ),
    ("Choose an article to read it here.", "选择一篇文章，在这里阅读。"),
    ("☆ Bookmark", "☆ 收藏"),
    ("★ Bookmarked", "★ 已收藏"),
    ("Mark unread/read", "标为未读/已读"),
    ("Add a tag (t)", "添加标签（t）"),
    ("Original", "原文"),
    ("Keyboard shortcuts", "键盘快捷键"),
    ("Settings", "设置"),
    ("Language", "语言"),
    ("Automatic", "自动"),
    ("Line width", "行宽"),
    ("Narrow", "窄"),
    ("Medium", "中"),
    ("Wide", "宽"),
    ("Mark articles read when opened", "打开文章时标为已读"),
    ("Remove, keep its posts", "移除，保留文章"),
    ("Remove with its posts", "移除并删除文章"),
    ("◐ System", "◐ 跟随系统"),
    ("☀ Light", "☀ 浅色"),
    ("☾ Dark", "☾ 深色"),
    ("Search: ", "搜索："),
    ("In: ", "范围："),
    ("Search everything", "搜索全部"),
    ("Narrow the search", "缩小搜索范围"),
    ("Unread only", "仅未读"),
    ("Bookmarked only", "仅收藏"),
    ("From", "从"),
    ("To", "到"),
    ("Tag: ", "标签："),
    ("Remove tag ", "移除标签 "),
    ("Images", "图片"),
    ("done", "完成"),
    ("next / previous article", "下一篇 / 上一篇"),
    ("open the article", "打开文章"),
    ("bookmark", "收藏"),
    ("tag", "加标签"),
    ("mark read / unread", "标为已读 / 未读"),
    ("search", "搜索"),
    ("sync now", "立即同步"),
    ("this help", "显示本帮助"),
    ("close / leave a text box", "关闭 / 离开输入框"),
    ("Synced", "已同步"),
    ("new", "新增"),
    ("updated", "更新"),
    ("failed", "失败"),
    ("Sync cancelled", "同步已取消"),
    ("Syncing…", "正在同步…"),
    ("Close", "关闭"),
    ("Sync every", "同步间隔"),
    ("Your archive", "我的存档"),
    ("Your devices", "我的设备"),
    ("Bookmarks, read marks, your tags, feeds and settings reach your other computers through a folder they share (Syncthing, Dropbox, iCloud Drive, a USB disk) or a git remote. The archive itself stays here.",
     "收藏、已读标记、我的标签、订阅源和设置会通过各台电脑共享的文件夹（Syncthing、Dropbox、iCloud 云盘、U 盘）或 git 远程仓库同步到你的其他电脑；存档本身留在本机。"),
    ("A shared folder or git remote", "共享文件夹或 git 远程仓库"),
    ("Saved; syncing your devices…", "已保存，正在同步设备…"),
    ("Devices sync stopped", "已停止设备同步"),
    ("Setting where devices sync", "设置设备同步位置"),
    ("Syncing your devices…", "正在同步设备…"),
    ("A device sync is running", "设备同步正在进行"),
    ("Syncing your devices", "同步设备"),
    ("This computer: {name}, {n} changes logged", "本机：{name}，已记录 {n} 项更改"),
    ("This computer: {name}, 1 change logged", "本机：{name}，已记录 1 项更改"),
    ("Last synced {when}", "上次同步：{when}"),
    ("Not synced yet", "尚未同步"),
    ("{n} changes wait for posts not in this archive yet", "{n} 项更改正在等待本存档尚未收到的文章"),
    ("1 change waits for a post not in this archive yet", "1 项更改正在等待本存档尚未收到的文章"),
    ("Not synced", "未同步"),
    ("Sync devices now", "立即同步设备"),
    ("its log was refused", "其记录被拒绝"),
    ("{n} changes, seen {when}", "{n} 项更改，{when} 读取"),
    ("1 change, seen {when}", "1 项更改，{when} 读取"),
    ("Saving {url}…", "正在保存 {url}…"),
    ("Saved “{title}” for offline reading", "已保存「{title}」，可离线阅读"),
    ("Saved “{title}” whole (no article found in the page)", "已完整保存「{title}」（页面中未找到正文）"),
    ("Saving the page", "保存网页"),
    ("Show a story carried several times once", "同一报道多处刊登时只显示一次"),
    ("Marking a story read marks its copies read", "将报道标为已读时，其副本一并标为已读"),
    ("also in {n} more", "另有 {n} 处刊登"),
    ("The same story", "同一报道"),
    ("Saved", "已保存"),
    ("Pages you saved for offline reading", "你保存以便离线阅读的网页"),
    ("Save a web page for offline reading", "保存网页以便离线阅读"),
    ("Save a page: paste its address", "保存网页：粘贴网址"),
    ("Back up…", "备份…"),
    ("Export Markdown…", "导出为 Markdown…"),
    ("Export sources (OPML)…", "导出来源（OPML）…"),
    ("Export bookmarks…", "导出收藏…"),
    ("Import OPML…", "导入 OPML…"),
    ("Working…", "正在处理…"),
    ("Saved {n} to {path}", "已将 {n} 项保存到 {path}"),
    ("{added} feeds added, {present} already here", "新增 {added} 个订阅源，{present} 个已存在"),
    ("Exporting the archive", "导出存档"),
    ("Importing the OPML file", "导入 OPML 文件"),
    ("Enter a number of days", "请输入天数"),
    ("Previewing retention", "预览清理"),
    ("Applying retention", "执行清理"),
    ("Removed {n} posts and {m} images", "已删除 {n} 篇文章和 {m} 张图片"),
    ("Remove unmarked posts older than", "删除早于以下天数且未标记的文章："),
    ("days", "天"),
    ("Preview", "预览"),
    (
        "{n} posts older than {d} days and {m} images ({mb} MB) would go; bookmarked and tagged posts stay.",
        "将删除 {n} 篇早于 {d} 天的文章和 {m} 张图片（{mb} MB）；收藏和加了标签的文章会保留。",
    ),
    ("Remove them", "删除它们"),
    ("Cache images for offline reading up to", "离线阅读的图片最多缓存"),
    ("MB", "MB"),
    ("Save", "保存"),
    (
        "{used} MB cached now. Past the limit no more are fetched; those cached stay.",
        "现已缓存 {used} MB。超过上限后不再下载新图片，已缓存的保留。",
    ),
    ("Enter a limit in MB, up to 1,048,576", "请输入以 MB 为单位的上限，最多 1,048,576"),
    ("Setting the image cache limit", "设置图片缓存上限"),
    ("Images are cached up to {n} MB", "图片最多缓存 {n} MB"),
    ("Restore a backup…", "恢复备份…"),
    ("Restored {n} posts from {path}", "已从 {path} 恢复 {n} 篇文章"),
    ("Restoring the backup", "恢复备份"),
    ("Restore into a new archive…", "恢复到新存档…"),
    ("Into a new archive in a folder you choose; this one stays as it is", "恢复到你选择的文件夹中的新存档；当前存档保持不变"),
    ("Restored {n} posts into a new archive in {path}", "已将 {n} 篇文章恢复到 {path} 中的新存档"),
    ("Open another archive…", "打开其他存档…"),
    ("Opening another archive", "打开其他存档"),
    ("The archive in {path} can be opened", "可以打开 {path} 中的存档"),
    ("Switching archives", "切换存档"),
    ("Restarting…", "正在重新启动…"),
    ("This archive (the default one):", "当前存档（默认）："),
    ("This archive:", "当前存档："),
    ("The archive chosen before could not be opened, so the default one is open:", "之前选择的存档无法打开，已打开默认存档："),
    ("Switch to {path} (Broadsheet restarts)", "切换到 {path}（Broadsheet 将重新启动）"),
    ("Back to the default archive (Broadsheet restarts)", "回到默认存档（Broadsheet 将重新启动）"),
    ("Forget the archive chosen before", "忘记之前选择的存档"),
    ("Into an archive with nothing of yours yet, such as a fresh install", "恢复到尚无你自己内容的存档，例如刚安装时"),
];

/// `en` in `lang`, for text that is not a literal (labels passed around as Strings).
pub fn tr_dyn(lang: Lang, en: &str) -> String {
    match lang {
        Lang::En => en.to_string(),
        Lang::Zh => ZH.iter().find(|(k, _)| *k == en).map_or(en, |(_, zh)| zh).to_string(),
    }
}

/// `en` in `lang`.
pub fn tr(lang: Lang, en: &'static str) -> &'static str {
    match lang {
        Lang::En => en,
        Lang::Zh => ZH.iter().find(|(k, _)| *k == en).map_or(en, |(_, zh)| zh),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_system_language_decides_unless_the_reader_chose() {
        assert_eq!(resolve("auto", "zh-CN"), Lang::Zh);
        assert_eq!(resolve("auto", "en-US"), Lang::En);
        assert_eq!(resolve("en", "zh-TW"), Lang::En);
        assert_eq!(resolve("zh", "en-GB"), Lang::Zh);
    }

    #[test]
    fn translations_fall_back_to_english() {
        assert_eq!(tr(Lang::Zh, "Unread"), "未读");
        assert_eq!(tr(Lang::En, "Unread"), "Unread");
        assert_eq!(tr(Lang::Zh, "Something new"), "Something new");
    }

    #[test]
    fn every_translation_is_unique_and_not_empty() {
        let mut keys: Vec<&str> = ZH.iter().map(|(k, _)| *k).collect();
        keys.sort_unstable();
        keys.dedup();
        assert_eq!(keys.len(), ZH.len(), "a key is listed twice");
        assert!(ZH.iter().all(|(_, v)| !v.trim().is_empty()));
    }
}
