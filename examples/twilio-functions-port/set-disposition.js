// The Twilio Function being ported: functions/set-disposition.protected.js in a Twilio Serverless service.
//
// Flex's wrap-up UI (a plugin) called it with the task and the agent's choice; it merged the choice into the task
// attributes, where Flex Insights reads it as the Outcome (`conversations.outcome`) and the notes as Content
// (`conversations.content`). Runtime: Node.js, handler order (context, event, callback), 10 s execution limit.
//
// Event:  { taskSid: "WT...", attributesUpdate: '{"conversations": {"outcome": "Resolved", "content": "..."}}' }
// Reply:  200 { success: true } or 500 { success: false, error }
//
// The Flex Project Template's version (update-task-attributes.js) also sends If-Match with the task's ETag and
// retries on 412; it is left out here to keep the shape of the port visible.

exports.handler = async (context, event, callback) => {
  const response = new Twilio.Response();
  response.appendHeader('Content-Type', 'application/json');
  try {
    const client = context.getTwilioClient();
    const task = client.taskrouter.v1
      .workspaces(context.TWILIO_FLEX_WORKSPACE_SID)
      .tasks(event.taskSid);

    const current = await task.fetch();
    const attributes = JSON.parse(current.attributes || '{}');
    const update = JSON.parse(event.attributesUpdate || '{}');

    // Shallow-merge the conversations object: outcome, content and any conversation_attribute_N.
    attributes.conversations = { ...(attributes.conversations || {}), ...(update.conversations || {}) };

    await task.update({ attributes: JSON.stringify(attributes) });
    response.setStatusCode(200);
    response.setBody({ success: true });
    return callback(null, response);
  } catch (error) {
    console.error(`set-disposition failed for ${event.taskSid}: ${error.message}`);
    response.setStatusCode(500);
    response.setBody({ success: false, error: error.message });
    return callback(null, response);
  }
};
