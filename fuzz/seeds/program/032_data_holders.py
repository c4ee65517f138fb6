class Task(BaseModel):
    title: str
    priority: int = 3
    done: bool = False

tasks = [Task("write"), Task("test", 1), Task(title="ship", priority=2, done=True)]
open_tasks = sorted([t for t in tasks if not t.done], key=lambda t: t.priority)
print([t.title for t in open_tasks], tasks[0], tasks[1] == Task("test", 1))
tasks[0].done = True
print(sum(1 for t in tasks if t.done), [t.priority for t in tasks])
final_return_value = [t.title for t in tasks if t.done]
