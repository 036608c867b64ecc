#!/bin/bash
# Starts a learner's server: first bring ~/course up to date (coursehub-sync: nbgitpuller,
# with notebooks merged cell by cell), then hand over to jupyterhub-singleuser. Merging keeps
# a learner's own edits. A failed pull never blocks the start: the learner finds the reason in
# ~/COURSE-SYNC-FAILED.txt, beside their files, and the hub's log has it too.
set -u
failed_note="$HOME/COURSE-SYNC-FAILED.txt"

if [ -n "${COURSEHUB_COURSE_REPO:-}" ]; then
  started=$(date +%s%N)
  if report=$(timeout "${COURSEHUB_COURSE_SYNC_TIMEOUT:-60}" coursehub-sync 2>&1); then
    rm -f "$failed_note"
    echo "coursehub: course sync in $(( ($(date +%s%N) - started) / 1000000 )) ms: $report"
  else
    status=$?
    [ "$status" = 124 ] && report="no answer from the course repository within ${COURSEHUB_COURSE_SYNC_TIMEOUT:-60}s"$'\n'"$report"
    {
      echo "The course could not be updated when your server started ($(date -u '+%Y-%m-%d %H:%M UTC'))."
      echo "课程在服务器启动时未能更新。你的文件没有受影响；请把下面的信息发给讲师或管理员。"
      echo "Your own files are untouched. Please pass this message to your instructor or admin."
      echo
      echo "Repository: $COURSEHUB_COURSE_REPO (branch ${COURSEHUB_COURSE_BRANCH:-main})"
      echo "$report"
    } > "$failed_note"
    echo "coursehub: course sync failed (exit $status), server starts anyway: $report" >&2
  fi
fi
# The interface language the admin chose, until the learner picks another in Settings.
locale_settings="$HOME/.jupyter/lab/user-settings/@jupyterlab/translation-extension/plugin.jupyterlab-settings"
if [ -n "${COURSEHUB_LANGUAGE:-}" ] && [ ! -e "$locale_settings" ]; then
  mkdir -p "$(dirname "$locale_settings")"
  printf '{"locale": "%s"}\n' "$COURSEHUB_LANGUAGE" > "$locale_settings"
fi
mkdir -p "$COURSE_WORK"
# jupyter_core looks for IPython 3 settings to migrate whenever this marker is missing, and dies
# if it cannot write it (a full home). There is never anything to migrate here.
[ -e "$HOME/.jupyter/migrated" ] || { mkdir -p "$HOME/.jupyter" && : > "$HOME/.jupyter/migrated"; } 2>/dev/null
exec jupyterhub-singleuser "$@"
