"""The spawn form: one radio button per profile, with how many GPUs are free right now."""

from __future__ import annotations

from html import escape

from .profiles import Profile


def render_profile_form(profiles: list[Profile], free: dict[str, int]) -> str:
    items = []
    for number, profile in enumerate(profiles):
        if profile.needs_gpu:
            available = free.get(profile.slug, 0)
            status = (
                f'<span class="label label-success">{available} free</span>'
                if available
                else '<span class="label label-warning">busy: tick "wait in the queue" or choose CPU</span>'
            )
        else:
            status = ""
        items.append(
            f"""
  <div class="radio">
    <label>
      <input type="radio" name="profile" value="{escape(profile.slug)}" {"checked" if number == 0 else ""}>
      <strong>{escape(profile.display_name)}</strong> {status}
      <div class="help-block">{escape(profile.description)}</div>
    </label>
  </div>"""
        )
    return (
        '<div class="coursehub-profiles">'
        + "".join(items)
        + """
  <div class="checkbox">
    <label><input type="checkbox" name="queue"> Wait in the queue when every GPU is busy
      (your place is shown while you wait) / GPU 繁忙时排队等待</label>
  </div>
</div>"""
    )
