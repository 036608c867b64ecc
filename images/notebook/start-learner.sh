#!/bin/bash
# Starts a learner's server: first bring ~/course up to date with nbgitpuller, then
# hand over to jupyterhub-singleuser. nbgitpuller merges, so a learner's own edits
# survive. A failed pull never blocks the start: the learner finds the reason in
# ~/COURSE-SYNC-FAILED.txt, beside their files, and the hub's log has it too.
set -u
failed_note="$HOME/COURSE-SYNC-FAILED.txt"

if [ -n "${COURSEHUB_COURSE_REPO:-}" ]; then
  started=$(date +%s%N)
  if output=$(timeout "${COURSEHUB_COURSE_SYNC_TIMEOUT:-60}" \
      gitpuller "$COURSEHUB_COURSE_REPO" "${COURSEHUB_COURSE_BRANCH:-main}" "$COURSE_DIR" 2>&1); then
    rm -f "$failed_note"
    echo "coursehub: course synced from $COURSEHUB_COURSE_REPO in $(( ($(date +%s%N) - started) / 1000000 )) ms"
  else
    status=$?
    [ "$status" = 124 ] && output="no answer from the course repository within ${COURSEHUB_COURSE_SYNC_TIMEOUT:-60}s"$'\n'"$output"
    {
      echo "The course could not be updated when your server started ($(date -u '+%Y-%m-%d %H:%M UTC'))."
      echo "课程在服务器启动时未能更新。你的文件没有受影响；请把下面的信息发给讲师或管理员。"
      echo "Your own files are untouched. Please pass this message to your instructor or admin."
      echo
      echo "Repository: $COURSEHUB_COURSE_REPO (branch ${COURSEHUB_COURSE_BRANCH:-main})"
      echo "$output"
    } > "$failed_note"
    echo "coursehub: course sync failed (exit $status), server starts anyway:" >&2
    echo "$output" >&2
  fi
fi
# The interface language the admin chose, until the learner picks another in Settings.
locale_settings="$HOME/.jupyter/lab/user-settings/@jupyterlab/translation-extension/plugin.jupyterlab-settings"
if [ -n "${COURSEHUB_LANGUAGE:-}" ] && [ ! -e "$locale_settings" ]; then
  mkdir -p "$(dirname "$locale_settings")"
  printf '{"locale": "%s"}\n' "$COURSEHUB_LANGUAGE" > "$locale_settings"
fi
mkdir -p "$COURSE_WORK"
exec jupyterhub-singleuser "$@"
